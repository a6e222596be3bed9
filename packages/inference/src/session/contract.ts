// Checks a loaded session against the contract the code that runs it was written for: input and
// output names, element types and dimensions (e.g. the Wan parts, docs/models/wan.md §9.3). A model
// the user exported with other names or sizes then fails when it loads, naming every difference,
// instead of deep inside a job.
//
// The rule for dimensions: a number in the contract must be that number in the model, unless the
// model leaves the dimension symbolic; a string in the contract (symbolic: "batch", "frames") matches
// anything. A symbolic model dimension is accepted everywhere because the file then states no size
// that could be wrong: for an input it takes the contract's size among others, and for an output
// exporters often leave sizes symbolic that are fixed in fact (shape inference gives up). What a
// symbolic dimension turns out to be is checked where it is known: feeds by `checkFeeds` on every
// run, outputs by the code that reads them. Ranks and element types must match exactly.
//
// Inputs must match as a set (an input the contract does not feed would make every run fail); the
// model may give outputs the contract does not read.
import type { ModelSession, TensorInfo } from './session.ts';

export interface ContractTensor {
  name: string;
  /** onnxruntime's element type name: 'float32', 'float16', 'int64'… */
  type: string;
  /** Numbers are fixed sizes, strings symbolic ones that match any size. */
  dims: readonly (number | string)[];
}

export interface SessionContract {
  inputs: readonly ContractTensor[];
  outputs: readonly ContractTensor[];
}

export class ContractError extends Error {
  override name = 'ContractError';
}

const shape = (dims: readonly (number | string)[]) => `[${dims.map((d) => (d === '' ? '?' : d)).join(',')}]`;

function compare(kind: 'input' | 'output', model: TensorInfo, expected: ContractTensor): string | null {
  if (model.type !== expected.type) {
    return `${kind} '${expected.name}' is ${model.type}, expected ${expected.type}`;
  }
  const fits =
    model.shape.length === expected.dims.length &&
    expected.dims.every(
      (d, i) => typeof d === 'string' || typeof model.shape[i] === 'string' || model.shape[i] === d,
    );
  return fits
    ? null
    : `${kind} '${expected.name}' has shape ${shape(model.shape)}, expected ${shape(expected.dims)}`;
}

/** Throws {@link ContractError} naming every difference between the session and `contract`. */
export function checkContract(
  session: Pick<ModelSession, 'id' | 'inputs' | 'outputs'>,
  contract: SessionContract,
): void {
  const problems: string[] = [];
  const names = (tensors: readonly { name: string }[]) => tensors.map((t) => t.name).join(', ');
  for (const expected of contract.inputs) {
    const model = session.inputs.find((t) => t.name === expected.name);
    if (!model) problems.push(`it has no input '${expected.name}' (it takes ${names(session.inputs)})`);
    else problems.push(compare('input', model, expected) ?? '');
  }
  for (const model of session.inputs) {
    if (!contract.inputs.some((t) => t.name === model.name)) {
      problems.push(`it takes input '${model.name}', which is not fed (expected ${names(contract.inputs)})`);
    }
  }
  for (const expected of contract.outputs) {
    const model = session.outputs.find((t) => t.name === expected.name);
    if (!model) problems.push(`it has no output '${expected.name}' (it gives ${names(session.outputs)})`);
    else problems.push(compare('output', model, expected) ?? '');
  }
  const found = problems.filter(Boolean);
  if (found.length) throw new ContractError(`${session.id}: ${found.join('; ')}`);
}
