// onnx-proto is CommonJS: a named ESM import of `onnx` fails, so take it off the default export.
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type NodeProto = onnxProto.onnx.INodeProto;

export const DataType = onnx.TensorProto.DataType;

/** The element types fixture models and the reader handle. */
export type ElementType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'uint8';

export const ELEMENT_TYPES: Record<ElementType, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  uint8: DataType.UINT8,
};
