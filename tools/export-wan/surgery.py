"""Graph-level steps of the Wan export (onnx + numpy; no torch, diffusers or transformers).

- `to_fp16`: fp16 weights and compute with fp32 islands and float32 graph I/O (docs/models/wan.md §4.8).
- `apply_contract`: the contract's names for symbolic dimensions and its fixed sizes on the graph I/O.
- `save_external`: every initializer in one `<onnx file name>.data` beside the `.onnx` (§9.2, §9.4).
- `check_contract`: compares an exported `.onnx` with a part of contracts.json (names, types, ranks,
  fixed dimensions), the same checks the plugin's session makes when it loads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT, FLOAT16 = TensorProto.FLOAT, TensorProto.FLOAT16
FP16_MAX = 65504.0
MHA = ("com.microsoft", "MultiHeadAttention")
CONTRACT_TYPES = {"float32": TensorProto.FLOAT, "int64": TensorProto.INT64}
# Inputs that stay float32 whatever the data type (Resize's roi and scales).
_FIXED_FLOAT_INPUTS = {"Resize": {1, 2}}
# Offsets in the data file: 4 KiB for tensors of 1 MiB or more (page-aligned for memory mapping).
_ALIGN_SMALL, _ALIGN_LARGE = 64, 4096


# Initializers up to this many values keep their data for shape inference (shapes, axes, scalars).
_PROBE_DATA_LIMIT = 1024


def float_value_names(model: onnx.ModelProto, source_dir: str = "") -> set[str]:
    """Names of every float32 value in the graph (inputs, initializers, node outputs).

    From ONNX shape inference on a copy without the weights' data; the outputs of
    com.microsoft.MultiHeadAttention, which it does not know, are declared float32 first (the
    attention output has the query's type).
    """
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for tensor in probe.graph.initializer:
        small = (int(np.prod(tensor.dims)) if len(tensor.dims) else 1) <= _PROBE_DATA_LIMIT
        if small and tensor.data_location == TensorProto.EXTERNAL:
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor, source_dir), tensor.name))
        elif not small:
            tensor.ClearField("raw_data")
            tensor.ClearField("float_data")
            del tensor.external_data[:]
            tensor.data_location = TensorProto.DEFAULT
    for node in probe.graph.node:
        if (node.domain, node.op_type) == MHA:
            probe.graph.value_info.append(helper.make_tensor_value_info(node.output[0], FLOAT, None))
    inferred = onnx.shape_inference.infer_shapes(probe)
    graph = inferred.graph
    names = {t.name for t in graph.initializer if t.data_type == FLOAT}
    for value in [*graph.input, *graph.output, *graph.value_info]:
        if value.type.tensor_type.elem_type == FLOAT:
            names.add(value.name)
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].t.data_type == FLOAT:
            names.add(node.output[0])
    return names


class _Fp16Pass:
    """See to_fp16. Values are 'strong' (activations, weights: they decide a node's precision) or
    'weak' (scalars and Constant nodes: they follow the other inputs)."""

    def __init__(self, model: onnx.ModelProto, keep_fp32: Callable[[str], bool], source_dir: str) -> None:
        self.graph = model.graph
        self.keep_fp32 = keep_fp32
        self.floats = float_value_names(model, source_dir)
        self.type: dict[str, int] = {}  # current element type of every float value
        self.weak: set[str] = set()
        self.casts: dict[tuple[str, int], str] = {}
        self.nodes: list[onnx.NodeProto] = []
        self.kept_nodes = 0

    def run(self) -> set[str]:
        consumers: dict[str, list[onnx.NodeProto]] = {}
        for node in self.graph.node:
            for name in node.input:
                consumers.setdefault(name, []).append(node)
        converted: set[str] = set()
        for tensor in self.graph.initializer:
            if tensor.name not in self.floats:
                continue
            count = int(np.prod(tensor.dims)) if len(tensor.dims) else 1
            users = consumers.get(tensor.name, [])
            if count > 1 and any(not self.keep_fp32(n.name) for n in users):
                converted.add(tensor.name)
                tensor.data_type = FLOAT16
                self.type[tensor.name] = FLOAT16
            else:
                self.type[tensor.name] = FLOAT
                if count <= 1:
                    self.weak.add(tensor.name)
        for value in self.graph.input:
            if value.name in self.floats:
                self.type[value.name] = FLOAT

        for node in self.graph.node:
            self._node(node)
        self._outputs_float32()
        del self.graph.node[:]
        self.graph.node.extend(self.nodes)
        del self.graph.value_info[:]  # stale types; ONNX Runtime infers them again
        return converted

    def _node(self, node: onnx.NodeProto) -> None:
        float_outputs = [o for o in node.output if o in self.floats]
        if node.op_type == "Constant":
            for out in float_outputs:
                self.type[out] = FLOAT
                self.weak.add(out)
            self.nodes.append(node)
            return
        fixed = _FIXED_FLOAT_INPUTS.get(node.op_type, set())
        inputs = [(i, name) for i, name in enumerate(node.input) if name in self.type and i not in fixed]
        if node.op_type == "Cast":
            precision = FLOAT  # a cast to float32 in the source graph stays one
        elif self.keep_fp32(node.name):
            precision = FLOAT
            self.kept_nodes += 1
        elif any(self.type[n] == FLOAT16 and n not in self.weak for _, n in inputs):
            precision = FLOAT16
        else:
            precision = FLOAT
        if node.op_type != "Cast":
            for i, name in inputs:
                if self.type[name] != precision:
                    node.input[i] = self._cast(name, precision)
        for out in float_outputs:
            self.type[out] = precision
            if inputs and all(n in self.weak for _, n in inputs):
                self.weak.add(out)
        self.nodes.append(node)

    def _cast(self, name: str, to: int) -> str:
        key = (name, to)
        if key not in self.casts:
            cast_name = f"{name}_as_{'fp16' if to == FLOAT16 else 'fp32'}"
            self.nodes.append(helper.make_node("Cast", [name], [cast_name], name=f"{cast_name}_cast", to=to))
            self.casts[key] = cast_name
        return self.casts[key]

    def _outputs_float32(self) -> None:
        for value in self.graph.output:
            if self.type.get(value.name) != FLOAT16:
                continue
            inner = f"{value.name}_fp16"
            for node in self.nodes:
                node.output[:] = [inner if o == value.name else o for o in node.output]
                node.input[:] = [inner if i == value.name else i for i in node.input]
            self.nodes.append(helper.make_node("Cast", [inner], [value.name], name=f"{value.name}_cast", to=FLOAT))


def to_fp16(
    model: onnx.ModelProto, keep_fp32: Callable[[str], bool], source_dir: str = ""
) -> tuple[set[str], int]:
    """Makes an fp32 graph compute in fp16, in place; graph inputs and outputs stay float32.

    Weights (float initializers of more than one value) become fp16, except those only fp32 nodes
    use. A node runs in fp32 when `keep_fp32(node name)` says so, or when none of its inputs is an
    fp16 activation or weight (so integer-derived arithmetic such as UMT5's position buckets and the
    attention-mask bias stays exact); otherwise in fp16. Casts go in where a value meets a node of
    the other precision. Initializer data is not touched here: the returned names are converted by
    `save_external` (so a model whose weights live in external files is never loaded whole).
    Returns (names of the initializers to convert, number of nodes kept in fp32 by `keep_fp32`).
    """
    fp16_pass = _Fp16Pass(model, keep_fp32, source_dir)
    converted = fp16_pass.run()
    return converted, fp16_pass.kept_nodes


def apply_contract(model: onnx.ModelProto, contract: dict) -> None:
    """Names the graph's symbolic I/O dimensions as the contract does and sets its fixed sizes.

    A dimension the contract fixes must be symbolic or already that size in the graph; one the contract
    names stays fixed if the graph fixes it (the decoder caches' channel counts).
    """
    for values, specs in ((model.graph.input, contract["inputs"]), (model.graph.output, contract["outputs"])):
        by_name = {v.name: v for v in values}
        for spec in specs:
            value = by_name.get(spec["name"])
            if value is None:
                raise ValueError(f"the graph has no I/O named {spec['name']!r} (it has {sorted(by_name)})")
            dims = value.type.tensor_type.shape.dim
            if len(dims) != len(spec["dims"]):
                raise ValueError(f"{spec['name']}: rank {len(dims)}, the contract says {len(spec['dims'])}")
            for dim, want in zip(dims, spec["dims"]):
                if isinstance(want, int):
                    if dim.HasField("dim_value") and dim.dim_value != want:
                        raise ValueError(f"{spec['name']}: fixed size {dim.dim_value}, the contract says {want}")
                    dim.dim_value = want
                elif not dim.HasField("dim_value"):
                    dim.dim_param = want


def _external(tensor: TensorProto, location: str, offset: int, length: int) -> None:
    tensor.ClearField("raw_data")
    del tensor.external_data[:]
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value


def save_external(
    model: onnx.ModelProto, onnx_path: str, source_dir: str = "", to_fp16_names: Iterable[str] = ()
) -> str:
    """Writes the model with all initializers in `<onnx file name>.data` beside it; returns that path.

    Initializer data comes from the proto or from the external files of the source model in
    `source_dir` (torch writes one file per tensor above 2 GB), one tensor at a time; the names in
    `to_fp16_names` are converted to fp16 on the way (clipped to ±65504).
    """
    to_fp16_names = set(to_fp16_names)
    location = os.path.basename(onnx_path) + ".data"
    data_path = onnx_path + ".data"
    offset = 0
    with open(data_path, "wb") as data:
        for tensor in model.graph.initializer:
            if tensor.name in to_fp16_names:
                tensor.data_type = FLOAT  # stored as float32 in the source
                array = numpy_helper.to_array(tensor, source_dir)
                array = np.clip(array, -FP16_MAX, FP16_MAX).astype(np.float16)
                tensor.data_type = FLOAT16
            else:
                array = numpy_helper.to_array(tensor, source_dir)
            payload = np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<"))).tobytes()
            align = _ALIGN_LARGE if len(payload) >= 1 << 20 else _ALIGN_SMALL
            padding = -offset % align
            data.write(b"\0" * padding)
            offset += padding
            data.write(payload)
            _external(tensor, location, offset, len(payload))
            offset += len(payload)
    onnx.save(model, onnx_path)
    return data_path


def load_contracts(path: str) -> dict:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _dims(value: onnx.ValueInfoProto) -> list[int | str | None]:
    out: list[int | str | None] = []
    for dim in value.type.tensor_type.shape.dim:
        out.append(dim.dim_value if dim.HasField("dim_value") else (dim.dim_param or None))
    return out


def check_contract(onnx_path: str, contract: dict) -> list[str]:
    """Differences between an exported graph's I/O and a contract; empty when they match.

    Names and order, element types, ranks, and every dimension the contract fixes. (The weights are
    not loaded.)
    """
    model = onnx.load(onnx_path, load_external_data=False)
    problems: list[str] = []
    for kind, values, specs in (
        ("input", model.graph.input, contract["inputs"]),
        ("output", model.graph.output, contract["outputs"]),
    ):
        names = [v.name for v in values]
        wanted = [s["name"] for s in specs]
        if names != wanted:
            problems.append(f"{kind}s are {names}, the contract says {wanted}")
        by_name = {v.name: v for v in values}
        for spec in specs:
            value = by_name.get(spec["name"])
            if value is None:
                continue
            elem = value.type.tensor_type.elem_type
            if elem != CONTRACT_TYPES[spec["type"]]:
                problems.append(
                    f"{kind} {spec['name']}: type {TensorProto.DataType.Name(elem)}, the contract says {spec['type']}"
                )
            dims = _dims(value)
            if len(dims) != len(spec["dims"]):
                problems.append(f"{kind} {spec['name']}: rank {len(dims)}, the contract says {len(spec['dims'])}")
                continue
            for axis, (have, want) in enumerate(zip(dims, spec["dims"])):
                if isinstance(want, int) and have != want:
                    problems.append(f"{kind} {spec['name']} axis {axis}: {have}, the contract says {want}")
    return problems
