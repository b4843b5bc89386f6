/**
 * A printable worksheet: the exercises with space to answer, then an answer key on pages of its
 * own with each answer, its worked solution and the wrong answers the usual misconceptions give.
 */
import PDFDocument from 'pdfkit';
import type { Exercise } from './exercises.js';
import { CONCEPTS } from './exercises.js';

export interface WorksheetOptions {
  readonly title: string;
  /** Uncompressed page content, which tests read back. */
  readonly compress?: boolean;
}

/**
 * Rewrites characters outside the Windows-1252 set of the PDF standard fonts, so that the
 * worksheet needs no embedded font.
 */
function printable(text: string): string {
  return text
    .replaceAll('\u2212', '-')
    .replaceAll('\u2192', '->')
    .replaceAll('\u2264', '<=')
    .replaceAll('\u2265', '>=')
    .replace(/[^\u0020-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');
}

function answerText(exercise: Exercise): string {
  return exercise.answerKind === 'percent'
    ? `${(exercise.answer as number).toFixed(1)}% (accepted within ${exercise.tolerance} points)`
    : String(exercise.answer);
}

/** Writes the worksheet as PDF bytes. */
export function worksheetPdf(
  exercises: readonly Exercise[],
  options: WorksheetOptions,
): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    margin: 56,
    compress: options.compress ?? true,
    info: { Title: options.title, Creator: 'nrr' },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });

  document.font('Helvetica-Bold').fontSize(18).text(printable(options.title));
  document
    .moveDown(0.5)
    .font('Helvetica')
    .fontSize(10)
    .text(
      'Answer each exercise with a number in percent (or the movement asked for) and a short explanation of how you got it. Money is in USD unless the exercise says otherwise.',
    );
  exercises.forEach((exercise, index) => {
    document.moveDown(1).font('Helvetica-Bold').fontSize(12);
    document.text(printable(`${index + 1}. ${exercise.title} (level ${exercise.level})`));
    document.font('Helvetica').fontSize(10).moveDown(0.3).text(printable(exercise.question));
    for (const line of exercise.data) document.text(printable(`  - ${line}`));
    if (exercise.choices !== undefined) {
      document.text(printable(`Choose one of: ${exercise.choices.join(', ')}.`));
    }
    document
      .moveDown(0.5)
      .text('Answer: ______________    How: ________________________________________');
  });

  document.addPage().font('Helvetica-Bold').fontSize(18).text('Answer key');
  exercises.forEach((exercise, index) => {
    document.moveDown(1).font('Helvetica-Bold').fontSize(12);
    document.text(printable(`${index + 1}. ${answerText(exercise)}`));
    document.font('Helvetica').fontSize(10);
    exercise.solution.forEach((step, number) => document.text(printable(`${number + 1}) ${step}`)));
    document.text(
      printable(`Concepts: ${exercise.concepts.map((concept) => CONCEPTS[concept]).join('; ')}.`),
    );
    for (const misconception of exercise.misconceptions) {
      const value =
        typeof misconception.answer === 'number'
          ? `${misconception.answer.toFixed(1)}%`
          : misconception.answer;
      document.text(printable(`Answer ${value} means the person ${misconception.description}.`));
    }
  });
  document.end();
  return done;
}
