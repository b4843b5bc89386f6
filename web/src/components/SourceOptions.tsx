/** The choice of where exercises come from, for the Practice page and the live session form. */
export type ExerciseSource = 'synthetic' | 'data';

/** Renders the choices of exercise source as the options of a select element. */
export function SourceOptions() {
  return (
    <>
      <option value="synthetic">Synthetic</option>
      <option value="data">Our accounts</option>
    </>
  );
}
