"""Exports the tiny stand-ins (tests/tiny.py) through the real export path, with reference I/O.

    python3 tools/export-wan/tests/export_tiny.py <out dir>

Writes <out dir>/<id>/<id>_<precision>.onnx (+ .data) as export_wan.py does, and manifest.json,
which lists for every graph the input files and the outputs the stand-in's own forward gives (raw
little-endian float32/int64), at sizes other than the traced ones, so that
packages/plugins/test/wan-export.test.ts can run the graphs in onnxruntime-node and compare. The references are computed before the export wrappers
touch a model (the wrappers replace RoPE, attention and the VAE's temporal resampling).
"""

from __future__ import annotations

import copy
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import export_wan  # noqa: E402
import surgery  # noqa: E402
import tiny  # noqa: E402

CONTRACTS = os.path.join(os.path.dirname(HERE), "contracts.json")
# fp16 graphs are compared with the fp32 reference: |Δ| ≤ ATOL + RTOL·max|reference|.
FP32_TOLERANCE = {"atol": 1e-4, "rtol": 1e-4}
FP16_TOLERANCE = {"atol": 1e-2, "rtol": 2e-2}


class Writer:
    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.count = 0

    def tensor(self, value) -> dict:
        array = value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        array = array.astype(np.int64 if array.dtype.kind in "iu" else np.float32)
        self.count += 1
        name = f"t{self.count}.bin"
        array.astype(array.dtype.newbyteorder("<")).tofile(os.path.join(self.out_dir, name))
        return {"file": name, "dims": list(array.shape), "type": "int64" if array.dtype == np.int64 else "float32"}


def build_transformer(seed: int = 1):
    torch.manual_seed(seed)
    return tiny.TinyVaceTransformer().eval()


def transformer_case(model, batch: int, frames: int, height: int, width: int, seed: int = 2):
    """Inputs in the contract's order and the stand-in's output (complex RoPE, plain attention)."""
    generator = torch.Generator().manual_seed(seed)
    latent = torch.randn(batch, tiny.LATENT, frames, height, width, generator=generator)
    timestep = torch.tensor([999.0, 480.0][:batch])
    context = torch.randn(batch, tiny.TEXT_TOKENS, tiny.TEXT_DIM, generator=generator)
    vace = torch.randn(batch, tiny.VACE, frames, height, width, generator=generator)
    cos, sin = tiny.rope_tables(frames, height // 2, width // 2, model.rope.head_dim)
    with torch.no_grad():
        expected = model(latent, timestep, context, vace, return_dict=False)[0]
    return (latent, timestep, context, vace, torch.from_numpy(cos), torch.from_numpy(sin)), expected


def build_text(seed: int = 3):
    torch.manual_seed(seed)
    return tiny.TinyUmt5Encoder().eval()


def text_case(model, tokens: int, length: int, seed: int = 4):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.zeros(1, tokens, dtype=torch.int64)
    ids[0, :length] = torch.randint(2, 100, (length,), generator=generator)
    ids[0, length - 1] = 1  # EOS, then padding 0 (docs/models/wan.md §3.3)
    mask = (torch.arange(tokens) < length).long()[None]
    with torch.no_grad():
        expected = model(ids, mask, return_dict=False)[0]
    return (ids, mask), expected


def build_vae(seed: int = 5):
    torch.manual_seed(seed)
    return tiny.TinyVae().eval()


def export_all(out_dir: str) -> dict:
    """Runs export_wan's exporters on the stand-ins (both precisions where the CLI offers them)."""
    os.makedirs(out_dir, exist_ok=True)
    contracts = surgery.load_contracts(CONTRACTS)["parts"]
    writer = Writer(out_dir)
    graphs: dict = {}
    cases: list = []

    def exported(checks, part: str) -> str:
        path = checks[0][0]
        key = os.path.relpath(path, out_dir)
        graphs[key] = {"part": part, "bytes": os.path.getsize(path) + os.path.getsize(path + ".data")}
        return key

    def add_case(graph: str, inputs: dict, outputs: dict, tolerance: dict) -> None:
        cases.append(
            {
                "graph": graph,
                "inputs": {name: writer.tensor(value) for name, value in inputs.items()},
                "outputs": {name: writer.tensor(value) for name, value in outputs.items()},
                "tolerance": tolerance,
            }
        )

    # DiT: traced at batch 1, 2×4×6; run at batch 2 (CFG), 3×4×6 (and a different seed).
    model = build_transformer()
    run_inputs, run_expected = transformer_case(model, 2, 3, 4, 6)
    names = [spec["name"] for spec in contracts["transformer"]["inputs"]]
    for precision in ("fp32", "fp16"):
        checks = export_wan.export_transformer(copy.deepcopy(model), out_dir, contracts, precision)
        key = exported(checks, "transformer")
        tolerance = FP32_TOLERANCE if precision == "fp32" else FP16_TOLERANCE
        add_case(key, dict(zip(names, run_inputs)), {"velocity": run_expected}, tolerance)

    # UMT5: traced with 16 tokens, run with the contract's 512.
    text = build_text()
    run_inputs, run_expected = text_case(text, tiny.TEXT_TOKENS, 7)
    for precision in ("fp32", "fp16"):
        key = exported(export_wan.export_text(copy.deepcopy(text), out_dir, contracts, precision), "textEncoder")
        tolerance = FP32_TOLERANCE if precision == "fp32" else FP16_TOLERANCE
        feeds = {"input_ids": run_inputs[0], "attention_mask": run_inputs[1]}
        add_case(key, feeds, {"last_hidden_state": run_expected}, tolerance)

    # VAE: the encoder traced with 5 frames at 32×32, run with 9 frames at 16×24 and with one frame;
    # the decoder graphs traced at 4×4 latents, run as a chain over 3 latent frames at 2×3.
    vae = build_vae()
    checks = export_wan.export_vae(copy.deepcopy(vae), out_dir, contracts)
    encoder, first, steady = (os.path.relpath(c[0], out_dir) for c in checks)
    for key, part in ((encoder, "vaeEncoder"), (first, "vaeDecoderFirst"), (steady, "vaeDecoder")):
        graphs[key] = {"part": part}
    generator = torch.Generator().manual_seed(6)
    for frames in (9, 1):
        video = torch.rand(1, 3, frames, 16, 24, generator=generator) * 2 - 1
        add_case(encoder, {"video": video}, {"latent": vae.encode_mean(video)}, FP32_TOLERANCE)
    latent = torch.randn(1, tiny.LATENT, 3, 2, 3, generator=generator)
    chain = {
        "first": first,
        "steady": steady,
        "latents": [writer.tensor(latent[:, :, i : i + 1]) for i in range(latent.shape[2])],
        "frames": writer.tensor(vae.decode(latent)),
        "tolerance": FP32_TOLERANCE,
    }

    manifest = {"graphs": graphs, "cases": cases, "decoderChain": chain}
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=1)
    return manifest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: export_tiny.py <out dir>")
    export_all(sys.argv[1])
