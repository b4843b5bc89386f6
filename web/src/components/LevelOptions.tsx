/** The choices of exercise level, for a select element. */
export function LevelOptions() {
  return (
    <>
      <option value="">All levels</option>
      <option value="1">1: name the movement</option>
      <option value="2">2: compute NRR or GRR</option>
      <option value="3">3: judge a renewal</option>
    </>
  );
}
