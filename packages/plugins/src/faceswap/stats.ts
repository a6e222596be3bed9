// Small helpers for what a face swap job records in its metadata.

/** Faces found per frame as run-length pairs [count, frames]: compact for long, steady videos. */
export class RunLengths {
  readonly runs: [number, number][] = [];

  push(value: number): void {
    const last = this.runs.at(-1);
    if (last && last[0] === value) last[1]++;
    else this.runs.push([value, 1]);
  }
}
