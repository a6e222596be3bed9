#!/usr/bin/env python3
"""Exports the Wan 2.1 VACE 1.3B parts to ONNX files that match the `wan` plugin's contracts.

    python3 tools/export-wan/export_wan.py --checkpoint <Wan2.1-VACE-1.3B-diffusers folder> --out <dir>
        [--parts text,transformer,vae] [--precision fp16|fp32] [--height 480 --width 832 --frames 81]
        [--no-verify]

Writes one folder per catalog id under --out, each holding `<id>_<precision>.onnx` and its
`.onnx.data`, ready for `pnpm visage models import <id> <folder>`. The steps, sizes and memory are in
tools/export-wan/README.md; the maths in docs/models/wan.md (§9.6 sums up the export).

diffusers, transformers and onnxruntime are imported only where needed, so the tests
(tools/export-wan/tests) run without them.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import graph_export  # noqa: E402
import surgery  # noqa: E402
from modules import TextEncoderExport, VaceTransformerExport, dit_keeps_fp32, rope_tables, text_keeps_fp32  # noqa: E402
from vae_modules import VaeDecoderExport, VaeDecoderFirstExport, VaeEncoderExport, count_decoder_caches  # noqa: E402

CONTRACTS = os.path.join(HERE, "contracts.json")
PARTS = ("text", "transformer", "vae")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="the Wan-AI/Wan2.1-VACE-1.3B-diffusers folder")
    parser.add_argument("--out", required=True, help="folder for the exported parts (one sub-folder per model id)")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: text, transformer, vae")
    parser.add_argument(
        "--precision", choices=("fp16", "fp32"), default="fp16", help="text encoder and DiT (the VAE is fp32)"
    )
    parser.add_argument("--height", type=int, default=480, help="video height the plugin will run (multiple of 16)")
    parser.add_argument("--width", type=int, default=832, help="video width (multiple of 16)")
    parser.add_argument("--frames", type=int, default=81, help="video frames, 4k + 1")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the onnxruntime check")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    if args.height % 16 or args.width % 16:
        parser.error("--height and --width must be multiples of 16 (docs/models/wan.md §6.3)")
    if args.frames < 1 or (args.frames - 1) % 4:
        parser.error("--frames must be 4k + 1 (docs/models/wan.md §6.3)")
    if not os.path.isdir(args.checkpoint):
        parser.error(f"--checkpoint {args.checkpoint} is not a folder")
    return args


def target(out: str, part: dict, precision: str) -> str:
    return os.path.join(out, part["id"], f"{part['id']}_{precision}.onnx")


def report(name: str, summary: dict, started: float) -> None:
    print(
        f"  {name}: {summary['onnx']} + .data, {summary['bytes'] / 1e9:.2f} GB, "
        f"{time.time() - started:.0f} s"
        + (f", {summary['fp32_nodes']} nodes kept fp32" if summary["fp32_nodes"] else "")
    )


# ── Parts ─────────────────────────────────────────────────────────────────────────────────────
# Each exporter takes a loaded model (the tests pass tiny stand-ins) and returns, per graph written,
# (path, (example inputs, PyTorch outputs, input names)) for the onnxruntime check.


def export_text(encoder, out: str, contracts: dict, precision: str) -> list[tuple[str, tuple]]:
    started = time.time()
    wrapper = TextEncoderExport(encoder.eval())
    # A short symbolic sequence for the trace, so that the position buckets stay computed (a fixed 512
    # would fold them into 24 constant [64, 512, 512] bias tensors); the file then says 512.
    ids = torch.tensor([[3, 17, 25, 9, 1] + [0] * 11])
    mask = (ids != 0).long()
    part = contracts["textEncoder"]
    axes = {name: {1: "tokens"} for name in ("input_ids", "attention_mask", "last_hidden_state")}
    path = target(out, part, precision)
    summary = graph_export.export_graph(wrapper, (ids, mask), path, part, axes, precision, text_keeps_fp32)
    report("text encoder", summary, started)
    # The file takes 512 tokens; the check runs at that size.
    run_ids = torch.zeros(1, 512, dtype=torch.int64)
    run_ids[0, :16] = ids[0]
    run_mask = (run_ids != 0).long()
    reference = _reference(wrapper, (run_ids, run_mask))
    return [(path, ((run_ids, run_mask), reference, ("input_ids", "attention_mask")))]


def transformer_inputs(head_dim: int, batch: int, frames: int, height: int, width: int, seed: int = 0) -> tuple:
    """Example inputs in the contract's order: random latents and context, real RoPE tables."""
    generator = torch.Generator().manual_seed(seed)
    cos, sin = rope_tables(frames, height // 2, width // 2, head_dim)
    return (
        torch.randn(batch, 16, frames, height, width, generator=generator),
        torch.tensor([999.0, 500.0][:batch]),
        torch.randn(batch, 512, 4096, generator=generator) * 0.1,
        torch.randn(batch, 96, frames, height, width, generator=generator),
        torch.from_numpy(cos),
        torch.from_numpy(sin),
    )


def export_transformer(model, out: str, contracts: dict, precision: str) -> list[tuple[str, tuple]]:
    started = time.time()
    wrapper = VaceTransformerExport(model.eval())
    # Small example sizes for the trace; every size but the 512 × 4096 context is symbolic.
    inputs = transformer_inputs(model.config.attention_head_dim, 1, 2, 4, 6)
    part = contracts["transformer"]
    path = target(out, part, precision)
    summary = graph_export.export_graph(
        wrapper, inputs, path, part, graph_export.dims_for(part), precision, dit_keeps_fp32
    )
    report(f"transformer ({wrapper.attention_count} attention modules)", summary, started)
    names = [spec["name"] for spec in part["inputs"]]
    return [(path, (inputs, _reference(wrapper, inputs), names))]


def export_vae(vae, out: str, contracts: dict, size: tuple[int, int] = (480, 832)) -> list[tuple[str, tuple]]:
    """The encoder and the two decoder graphs, all fp32 ([WAN] runs the VAE in fp32, §6.1)."""
    vae = vae.eval()
    generator = torch.Generator().manual_seed(0)
    checks = []

    started = time.time()
    video = torch.rand(1, 3, 5, 32, 32, generator=generator) * 2 - 1
    encoder = VaeEncoderExport(vae)
    part = contracts["vaeEncoder"]
    path = target(out, part, "fp32")
    summary = graph_export.export_graph(encoder, (video,), path, part, graph_export.dims_for(part))
    report("VAE encoder", summary, started)
    checks.append((path, ((video,), _reference(encoder, (video,)), ("video",))))

    started = time.time()
    latent = torch.randn(1, 16, 1, 4, 4, generator=generator)
    caches = count_decoder_caches(vae, latent)
    first = VaeDecoderFirstExport(vae, caches)
    part = contracts["vaeDecoderFirst"]
    if len(part["outputs"]) != caches + 1:
        raise RuntimeError(f"the decoder has {caches} caches; the contract expects {len(part['outputs']) - 1}")
    path = target(out, part, "fp32")
    summary = graph_export.export_graph(first, (latent,), path, part, _fixed_channels(graph_export.dims_for(part)))
    report("VAE decoder, first chunk", summary, started)
    first_out = _reference(first, (latent,))
    checks.append((path, ((latent,), first_out, ("latent",))))

    started = time.time()
    steady = VaeDecoderExport(vae, caches)
    part = contracts["vaeDecoder"]
    path = target(out, part, "fp32")
    inputs = (latent, *(torch.from_numpy(c) for c in first_out[1:]))
    summary = graph_export.export_graph(steady, inputs, path, part, _fixed_channels(graph_export.dims_for(part)))
    report("VAE decoder, steady state", summary, started)
    names = [spec["name"] for spec in part["inputs"]]
    checks.append((path, (inputs, _reference(steady, inputs), names)))
    _print_cache_size(first_out[1:], size)
    return checks


def load_and_export(name: str, args, contracts: dict) -> list[tuple[str, tuple]]:
    if name == "text":
        from transformers import UMT5EncoderModel

        encoder = UMT5EncoderModel.from_pretrained(
            os.path.join(args.checkpoint, "text_encoder"), torch_dtype=torch.float32, attn_implementation="eager"
        )
        return export_text(encoder, args.out, contracts, args.precision)
    if name == "transformer":
        from diffusers import WanVACETransformer3DModel

        model = WanVACETransformer3DModel.from_pretrained(
            args.checkpoint, subfolder="transformer", torch_dtype=torch.float32
        )
        return export_transformer(model, args.out, contracts, args.precision)
    from diffusers import AutoencoderKLWan

    vae = AutoencoderKLWan.from_pretrained(args.checkpoint, subfolder="vae", torch_dtype=torch.float32)
    return export_vae(vae, args.out, contracts, (args.height, args.width))


def _fixed_channels(axes: dict[str, dict[int, str]]) -> dict[str, dict[int, str]]:
    """The caches' channel counts come from the weights (the contract names them symbolically)."""
    return {name: {a: d for a, d in dims.items() if not d.endswith("_channels")} for name, dims in axes.items()}


def _print_cache_size(caches, size: tuple[int, int]) -> None:
    """Cache bytes at the run size: each slot is [1, C, 2, h', w'] at ⅛, ¼, ½ or full size (§6.5)."""
    height, width = size
    total = 0
    traced_height = caches[-1].shape[3]  # the last slot is at pixel resolution
    for cache in caches:
        scale = traced_height // cache.shape[3]
        total += cache.shape[1] * 2 * (height // scale) * (width // scale)
    print(f"  decoder cache state at {height}×{width}: {total * 4 / 1e9:.2f} GB fp32 ({len(caches)} caches)")


# ── Checks ────────────────────────────────────────────────────────────────────────────────────


def _reference(module, inputs) -> list[np.ndarray]:
    with torch.no_grad():
        out = module(*inputs)
    out = out if isinstance(out, tuple) else (out,)
    return [o.float().numpy() for o in out]


def verify(checks: list[tuple[str, tuple]]) -> bool:
    """Runs each exported graph in onnxruntime (CPU) on the trace inputs and compares with PyTorch."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("  onnxruntime is not installed: skipped the check (pip install onnxruntime)")
        return True
    ok = True
    for path, (inputs, expected, names) in checks:
        feeds = {name: value.numpy() for name, value in zip(names, inputs)}
        try:
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            got = session.run(None, feeds)
        except Exception as error:  # noqa: BLE001 - reported, the files stay
            print(f"  {os.path.basename(path)}: onnxruntime could not run it: {str(error).splitlines()[0]}")
            ok = False
            continue
        worst = max(float(np.abs(g - e).max() / (np.abs(e).max() + 1e-6)) for g, e in zip(got, expected))
        limit = 5e-2 if "_fp16." in os.path.basename(path) else 1e-3
        status = "ok" if worst <= limit else "MISMATCH"
        ok &= worst <= limit
        print(f"  {os.path.basename(path)}: onnxruntime vs PyTorch, max |Δ| / max |y| = {worst:.1e} ({status})")
        del session, got
    return ok


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    contracts = surgery.load_contracts(CONTRACTS)["parts"]
    print(f"Exporting {', '.join(args.parts)} from {args.checkpoint} to {args.out} ({args.precision})")
    checks = []
    for name in args.parts:
        checks += load_and_export(name, args, contracts)
        gc.collect()
    if args.verify and not verify(checks):
        print("Some graphs differ from PyTorch beyond the tolerance; see above.", file=sys.stderr)
        return 1
    latent_frames, h, w = (args.frames - 1) // 4 + 1, args.height // 8, args.width // 8
    grid = (h // 2) * (w // 2)
    print(
        f"\nAt {args.height}×{args.width}, {args.frames} frames and N references the DiT takes latents "
        f"[batch, 16, {latent_frames} + N, {h}, {w}] and RoPE tables [{latent_frames * grid} + N·{grid}, 64]."
    )
    print("\nImport each folder into Visage (from the repository root):")
    for path, _ in checks:
        folder = os.path.dirname(os.path.abspath(path))
        print(f"  pnpm visage models import {os.path.basename(folder)} {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
