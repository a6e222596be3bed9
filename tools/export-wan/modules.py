"""Torch-side pieces of the Wan export that need no diffusers or transformers.

They wrap the diffusers / transformers modules so that a plain `torch.onnx.export` (the TorchScript
exporter, opset 17) gives graphs with the I/O of the plugin's contracts
(packages/plugins/src/wan/contracts.ts):

- RoPE as real arithmetic on adjacent pairs with the cos/sin tables as graph inputs (no complex ops,
  docs/models/wan.md §4.7, §9.2);
- attention as one `com.microsoft.MultiHeadAttention` node, which ONNX Runtime runs as a fused kernel
  (§8.3, §9.2);
- the VAE decoder as a first-chunk graph and a steady-state graph with its 32 caches as I/O (§6.5),
  and the VAE encoder as one causal pass over any number of frames (§6.4, tools/export-wan/README.md);
- UMT5 with Wan's fp16 clamp after every residual add (§3.6).

Wrapped modules are found by attribute names (diffusers' `to_q`/`norm_q`/`processor`, the VAE's
`feat_cache` calling convention), so the tests can run them on tiny stand-ins with the same layout.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

# Wan's fp16 clamp: ±(fp16 max − 1000) after every residual add of UMT5 (docs/models/wan.md §3.6).
FP16_CLAMP = 65504.0 - 1000.0


def rope_tables(frames: int, rows: int, cols: int, head_dim: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """The `rope_cos`, `rope_sin` inputs [frames·rows·cols, head_dim/2] for a patch grid (docs/models/wan.md §4.7).

    Token (f, y, x) is row (f·rows + y)·cols + x. Of the head_dim/2 pairs, the first take the frame
    angle, then equal shares the row and the column angle (22/21/21 for head_dim 128); pair k of an
    axis with d real dimensions turns by position · 10000^(−2k/d). References count as frames.
    """
    row_pairs = head_dim // 6
    frame_pairs = head_dim // 2 - 2 * row_pairs

    def axis(count: int, pairs: int) -> np.ndarray:
        return np.arange(count)[:, None] * 10000.0 ** (-2 * np.arange(pairs) / (2 * pairs))

    f, y, x = axis(frames, frame_pairs), axis(rows, row_pairs), axis(cols, row_pairs)
    grid = np.concatenate(
        [
            np.broadcast_to(f[:, None, None], (frames, rows, cols, frame_pairs)),
            np.broadcast_to(y[None, :, None], (frames, rows, cols, row_pairs)),
            np.broadcast_to(x[None, None, :], (frames, rows, cols, row_pairs)),
        ],
        axis=-1,
    ).reshape(frames * rows * cols, -1)
    return np.cos(grid).astype(np.float32), np.sin(grid).astype(np.float32)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotates adjacent pairs (2i, 2i+1) of every head by angle i (docs/models/wan.md §4.7).

    x: [batch, tokens, heads·head_dim]; cos, sin: [tokens, head_dim/2]. Every head uses the same angles.
    """
    batch, tokens, _ = x.shape
    pairs = x.reshape(batch, tokens, -1, cos.shape[-1], 2)
    a, b = pairs[..., 0], pairs[..., 1]
    cos = cos[None, :, None, :]
    sin = sin[None, :, None, :]
    rotated = torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1)
    return rotated.reshape(batch, tokens, -1)


class RealRope(nn.Module):
    """apply_rope as a module, so its nodes carry a `/rope/` scope that the fp16 conversion keeps in fp32."""

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        return apply_rope(x, cos, sin)


class RmsNorm(nn.Module):
    """RMSNorm over the last axis with a given weight (torch's `aten::rms_norm` has no opset-17 export)."""

    def forward(self, x: torch.Tensor, weight: torch.Tensor, eps: float | None) -> torch.Tensor:
        eps = torch.finfo(x.dtype).eps if eps is None else eps
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


class _MultiHeadAttention(torch.autograd.Function):
    """softmax(q·kᵀ/√d)·v over [batch, tokens, heads·d]; exported as com.microsoft.MultiHeadAttention."""

    @staticmethod
    def forward(ctx, q, k, v, num_heads: int):  # noqa: ARG004 - ctx is part of the Function API
        batch, q_len, width = q.shape
        head_dim = width // num_heads

        def heads(t):
            return t.reshape(batch, t.shape[1], num_heads, head_dim).transpose(1, 2).float()

        scores = heads(q) @ heads(k).transpose(-1, -2) * head_dim**-0.5
        out = torch.softmax(scores, dim=-1) @ heads(v)
        return out.transpose(1, 2).reshape(batch, q_len, width).to(q.dtype)

    @staticmethod
    def symbolic(g, q, k, v, num_heads: int):
        out = g.op("com.microsoft::MultiHeadAttention", q, k, v, num_heads_i=num_heads)
        out.setType(q.type())
        return out


def multi_head_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Unmasked attention with scale 1/√head_dim (docs/models/wan.md §4.5), q/k/v [batch, tokens, heads·d]."""
    return _MultiHeadAttention.apply(q, k, v, num_heads)


class RealRopeAttnProcessor(nn.Module):
    """Stands in for diffusers' WanAttnProcessor on one attention module (self- or cross-attention).

    Same maths (docs/models/wan.md §4.5): q, k, v projections, RMSNorm over the full width on q and k,
    RoPE on q and k when `rotary_emb` is given — here the (cos, sin) tables of the graph inputs —
    attention, output projection. Being a module, it is registered under the attention module as
    `processor`, which scopes its nodes for the fp16 conversion.
    """

    def __init__(self) -> None:
        super().__init__()
        self.rope = RealRope()
        self.qk_norm = RmsNorm()

    def forward(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, rotary_emb=None, **_):
        if getattr(attn, "add_k_proj", None) is not None:
            raise NotImplementedError("image cross-attention (I2V) is not part of the VACE export")
        if getattr(attn, "fused_projections", False):
            raise NotImplementedError("fused q/k/v projections: load the model without fusing them")
        if attention_mask is not None:
            raise NotImplementedError("Wan's attention takes no mask (docs/models/wan.md §4.5)")
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        q = self.qk_norm(attn.to_q(hidden_states), attn.norm_q.weight, attn.norm_q.eps)
        k = self.qk_norm(attn.to_k(context), attn.norm_k.weight, attn.norm_k.eps)
        v = attn.to_v(context)
        if rotary_emb is not None:
            cos, sin = rotary_emb
            q = self.rope(q, cos, sin).type_as(v)
            k = self.rope(k, cos, sin).type_as(v)
        out = multi_head_attention(q, k, v, attn.heads)
        return attn.to_out[1](attn.to_out[0](out))


class RopeTables(nn.Module):
    """Stands in for diffusers' WanRotaryPosEmbed: hands the blocks the (cos, sin) graph inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, _hidden_states: torch.Tensor):
        if self.tables is None:
            raise RuntimeError("RopeTables used outside VaceTransformerExport.forward")
        return self.tables


def is_attention(module: nn.Module) -> bool:
    return all(hasattr(module, name) for name in ("to_q", "to_k", "to_v", "to_out", "norm_q", "norm_k", "heads"))


class VaceTransformerExport(nn.Module):
    """The VACE DiT with the contract's inputs: latent, timestep, context, vace_context, rope_cos, rope_sin.

    `transformer` is a diffusers WanVACETransformer3DModel (or a stand-in with its forward signature):
    its RoPE module and every attention processor are replaced; its own forward does the rest
    (patchify, time/text embedding, VACE hints, blocks, head, unpatchify; docs/models/wan.md §4, §5.6).
    """

    def __init__(self, transformer: nn.Module) -> None:
        super().__init__()
        self.transformer = transformer
        transformer.rope = RopeTables()
        attentions = [m for m in transformer.modules() if is_attention(m)]
        if not attentions:
            raise ValueError("no attention modules (to_q, to_k, to_v, to_out, norm_q, norm_k) found")
        for attention in attentions:
            attention.processor = RealRopeAttnProcessor()
        self.attention_count = len(attentions)

    def forward(self, latent, timestep, context, vace_context, rope_cos, rope_sin):
        self.transformer.rope.tables = (rope_cos, rope_sin)
        try:
            out = self.transformer(
                hidden_states=latent,
                timestep=timestep,
                encoder_hidden_states=context,
                control_hidden_states=vace_context,
                return_dict=False,
            )[0]
        finally:
            self.transformer.rope.tables = None
        return out.float()


# Scopes (module names in the exported node names) computed in fp32 in an fp16 DiT graph: the norms,
# the time embedding, RoPE and q/k RMSNorm (docs/models/wan.md §4.8), and the nodes directly in a
# block or in the model itself: the modulation arithmetic, the residual adds, the head's modulation.
DIT_FP32_MODULES = {"norm1", "norm2", "norm3", "norm_out", "time_embedder", "timesteps_proj", "rope", "qk_norm"}
_DIT_FP32_SCOPE = re.compile(r"^(/transformer(/(vace_)?blocks\.\d+)?)?$")


def dit_keeps_fp32(node_name: str) -> bool:
    scope = node_name.rsplit("/", 1)[0] if "/" in node_name else ""
    return bool(_DIT_FP32_SCOPE.match(scope)) or any(part in DIT_FP32_MODULES for part in scope.split("/"))


# UMT5: its RMS norms and the residual adds with their clamp (the nodes directly in `layer.N`).
TEXT_FP32_MODULES = {"layer_norm", "final_layer_norm"}
_TEXT_FP32_SCOPE = re.compile(r"/layer\.\d+$")


def text_keeps_fp32(node_name: str) -> bool:
    scope = node_name.rsplit("/", 1)[0] if "/" in node_name else ""
    return bool(_TEXT_FP32_SCOPE.search(scope)) or any(part in TEXT_FP32_MODULES for part in scope.split("/"))


class TextEncoderExport(nn.Module):
    """UMT5 encoder with the attention mask as an input (§3.4) and Wan's clamp after every residual add (§3.6).

    The clamp is a forward hook on every `block.N.layer.M` (each ends in a residual add); it is a no-op
    in fp32 and bounds the fp16 sublayer outputs that overflow (T5-family activations do).
    """

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        layers = [m for name, m in encoder.named_modules() if re.search(r"(^|\.)block\.\d+\.layer\.\d+$", name)]
        if not layers:
            raise ValueError("no UMT5 layers (block.N.layer.M) found")
        for layer in layers:
            layer.register_forward_hook(_clamp_output)
        self.layer_count = len(layers)

    def forward(self, input_ids, attention_mask):
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]


def _clamp_output(_module, _inputs, output):
    if isinstance(output, tuple):
        return (output[0].clamp(-FP16_CLAMP, FP16_CLAMP),) + output[1:]
    return output.clamp(-FP16_CLAMP, FP16_CLAMP)
