/** A headline figure: its label, its value and a link to the accounts behind it. */
export function Figure({
  label,
  text,
  value,
  link,
  detail,
  testId,
}: {
  readonly label: string;
  readonly text: string;
  /** The raw value from the API, kept on the element so that it can be checked exactly. */
  readonly value: number | null;
  readonly link: string;
  readonly detail?: string;
  readonly testId: string;
}) {
  return (
    <a className="figure" href={link} data-testid={testId} data-value={value ?? ''}>
      <span className="figure-label">{label}</span>
      <span className="figure-value">{text}</span>
      {detail === undefined ? null : <span className="figure-detail">{detail}</span>}
    </a>
  );
}
