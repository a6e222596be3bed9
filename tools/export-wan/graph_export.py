"""One export step shared by export_wan.py and the tests: torch module → contract-shaped ONNX file.

torch.onnx.export (the TorchScript exporter, opset 17) into a scratch folder, then the graph surgery
of surgery.py: optional fp16 conversion, the contract's dimension names, all weights in one
`<file>.onnx.data` beside the `.onnx`, and a final contract check.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence

import onnx
import torch

import surgery

OPSET = 17  # com.microsoft.MultiHeadAttention has CUDA kernels at this opset (docs/models/wan.md §9.6)


def torch_export(module: torch.nn.Module, args: tuple, path: str, **kwargs) -> None:
    """torch.onnx.export with the TorchScript exporter (the one that honours autograd.Function.symbolic)."""
    options = dict(opset_version=OPSET, do_constant_folding=True, custom_opsets={"com.microsoft": 1}, **kwargs)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(module, args, path, **options)


def export_graph(
    module: torch.nn.Module,
    args: tuple,
    onnx_path: str,
    contract: dict,
    dynamic_axes: dict[str, dict[int, str]],
    precision: str = "fp32",
    keep_fp32: Callable[[str], bool] | None = None,
) -> dict:
    """Exports `module(*args)` to `onnx_path` (+ `onnx_path`.data) with the contract's I/O; returns a summary.

    Input and output names are the contract's, in its order. With precision "fp16", `keep_fp32`
    names the nodes kept in fp32 (surgery.to_fp16); it must match some.
    """
    input_names = [spec["name"] for spec in contract["inputs"]]
    output_names = [spec["name"] for spec in contract["outputs"]]
    os.makedirs(os.path.dirname(os.path.abspath(onnx_path)), exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="export-", dir=os.path.dirname(os.path.abspath(onnx_path)))
    try:
        raw_path = os.path.join(scratch, "graph.onnx")
        module.eval()
        torch_export(
            module, args, raw_path, input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes
        )
        model = onnx.load(raw_path, load_external_data=False)
        converted: set[str] = set()
        kept = 0
        if precision == "fp16":
            if keep_fp32 is None:
                raise ValueError("an fp16 export needs keep_fp32")
            converted, kept = surgery.to_fp16(model, keep_fp32, scratch)
            if kept == 0:
                raise RuntimeError("no node matched the fp32 scopes: the exporter's node names changed?")
        elif precision != "fp32":
            raise ValueError(f"precision must be fp32 or fp16, not {precision!r}")
        surgery.apply_contract(model, contract)
        data_path = surgery.save_external(model, onnx_path, scratch, converted)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    onnx.checker.check_model(onnx_path)
    problems = surgery.check_contract(onnx_path, contract)
    if problems:
        raise RuntimeError(f"{onnx_path} does not match its contract:\n  " + "\n  ".join(problems))
    return {
        "onnx": onnx_path,
        "data": data_path,
        "bytes": os.path.getsize(onnx_path) + os.path.getsize(data_path),
        "fp16_weights": len(converted),
        "fp32_nodes": kept,
    }


def dims_for(contract: dict, names: Sequence[str] | None = None) -> dict[str, dict[int, str]]:
    """dynamic_axes for torch.onnx.export: every symbolic dimension the contract names."""
    axes: dict[str, dict[int, str]] = {}
    for spec in [*contract["inputs"], *contract["outputs"]]:
        if names is not None and spec["name"] not in names:
            continue
        symbolic = {axis: dim for axis, dim in enumerate(spec["dims"]) if isinstance(dim, str)}
        if symbolic:
            axes[spec["name"]] = symbolic
    return axes
