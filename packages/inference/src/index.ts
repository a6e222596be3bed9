// ONNX sessions, ModelManager, model catalog and downloads, tensor/image ops, video IO.
// Public surface of @visage/inference. Filled in by its own issue; see ../../shared/DESIGN.md.
export {};
