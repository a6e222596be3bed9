"""Tiny random-weight stand-ins for the Wan parts, with the layout the export wrappers drive.

Written for the tests from docs/models/wan.md (§3–§6), not copied from diffusers or transformers:
they have the same attribute names, forward signatures and cache conventions as
WanVACETransformer3DModel, UMT5EncoderModel and AutoencoderKLWan, at a few channels wide. The
contract fixes some sizes (512 text tokens, 4096 text width, 16 latent channels, 96 VACE channels,
32 decoder caches), so those are real. Each model's own forward is the reference: the DiT's
attention uses complex-number RoPE, the VAE runs chunk by chunk with Python caches as [WAN] does.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

TEXT_TOKENS, TEXT_DIM, LATENT, VACE = 512, 4096, 16, 96
CACHE_T = 2


# ── DiT ──────────────────────────────────────────────────────────────────────────────────────


class RMSNorm(nn.Module):
    """torch.nn.RMSNorm's attributes (weight, eps); torch 1.13 has no RMSNorm."""

    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(1 + 0.1 * torch.randn(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class ComplexRopeAttention:
    """Reference processor: RoPE as complex multiplication (as [WAN]'s rope_apply), softmax attention."""

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, rotary_emb=None):
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        batch, tokens, width = hidden_states.shape
        q = attn.norm_q(attn.to_q(hidden_states)).reshape(batch, tokens, attn.heads, -1)
        k = attn.norm_k(attn.to_k(context)).reshape(batch, context.shape[1], attn.heads, -1)
        v = attn.to_v(context).reshape(batch, context.shape[1], attn.heads, -1)
        if rotary_emb is not None:  # complex [tokens, head_dim/2]
            def rotate(t):
                pairs = torch.view_as_complex(t.double().reshape(*t.shape[:-1], -1, 2))
                return torch.view_as_real(pairs * rotary_emb[None, :, None, :]).flatten(3).float()

            q, k = rotate(q), rotate(k)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1])
        out = torch.einsum("bhqk,bkhd->bqhd", scores.softmax(-1), v).reshape(batch, tokens, width)
        return attn.to_out[1](attn.to_out[0](out))


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q, self.to_k, self.to_v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim), nn.Dropout(0.0)])
        self.norm_q, self.norm_k = RMSNorm(dim), RMSNorm(dim)
        self.processor = ComplexRopeAttention()

    def forward(self, hidden_states, encoder_hidden_states=None, attention_mask=None, rotary_emb=None):
        return self.processor(self, hidden_states, encoder_hidden_states, attention_mask, rotary_emb)


def complex_rope(frames: int, rows: int, cols: int, head_dim: int) -> torch.Tensor:
    """[tokens, head_dim/2] complex: [WAN]'s rope_params per axis (own exponent base), then the grid."""
    row_dim = 2 * (head_dim // 6)
    frame_dim = head_dim - 2 * row_dim

    def axis(positions: int, dim: int):
        freqs = 1.0 / 10000 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
        angles = torch.outer(torch.arange(positions), freqs)
        return torch.polar(torch.ones_like(angles), angles)

    f, y, x = axis(frames, frame_dim), axis(rows, row_dim), axis(cols, row_dim)
    grid = torch.cat(
        [
            f[:, None, None].expand(frames, rows, cols, -1),
            y[None, :, None].expand(frames, rows, cols, -1),
            x[None, None, :].expand(frames, rows, cols, -1),
        ],
        dim=-1,
    )
    return grid.reshape(frames * rows * cols, -1)


class ComplexRope(nn.Module):
    def __init__(self, head_dim: int) -> None:
        super().__init__()
        self.head_dim = head_dim

    def forward(self, hidden_states):
        _, _, frames, height, width = hidden_states.shape
        return complex_rope(frames, height // 2, width // 2, self.head_dim)


class Sinusoid(nn.Module):
    """[cos(t·f_i), sin(t·f_i)], f_i = 10000^(−i/half) (docs/models/wan.md §4.3)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.half = channels // 2

    def forward(self, t):
        freqs = torch.exp(-math.log(10000) * torch.arange(self.half, dtype=torch.float32) / self.half)
        angles = t.float()[:, None] * freqs[None]
        return torch.cat([angles.cos(), angles.sin()], dim=-1)


class ConditionEmbedder(nn.Module):
    def __init__(self, dim: int, freq_dim: int = 32) -> None:
        super().__init__()
        self.timesteps_proj = Sinusoid(freq_dim)
        self.time_embedder = nn.Sequential(nn.Linear(freq_dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.act_fn = nn.SiLU()
        self.time_proj = nn.Linear(dim, 6 * dim)
        self.text_embedder = nn.Sequential(nn.Linear(TEXT_DIM, dim), nn.GELU(approximate="tanh"), nn.Linear(dim, dim))

    def forward(self, timestep, context):
        temb = self.time_embedder(self.timesteps_proj(timestep))
        return temb, self.time_proj(self.act_fn(temb)), self.text_embedder(context)


def plain_layer_norm(dim: int) -> nn.LayerNorm:
    """LayerNorm without a learned affine ([WAN]'s norm1, norm3, head norm). torch 1.13 exports an affine-free
    LayerNorm at opset 17 with an empty scale input (fixed in torch 2), so it carries a fixed unit affine."""
    norm = nn.LayerNorm(dim, 1e-6)
    norm.weight.requires_grad_(False)
    return norm


class Block(nn.Module):
    """The transformer block of docs/models/wan.md §4.5 (diffusers' norm1/norm2/norm3 naming)."""

    def __init__(self, dim: int, heads: int, ffn: int, proj_in: bool = False, proj_out: bool = False) -> None:
        super().__init__()
        self.proj_in = nn.Linear(dim, dim) if proj_in else None
        self.norm1 = plain_layer_norm(dim)
        self.attn1 = Attention(dim, heads)
        self.attn2 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, 1e-6)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn), nn.GELU(approximate="tanh"), nn.Linear(ffn, dim))
        self.norm3 = plain_layer_norm(dim)
        self.proj_out = nn.Linear(dim, dim) if proj_out else None
        self.scale_shift_table = nn.Parameter(torch.randn(1, 6, dim) / dim**0.5)

    def forward(self, x, context, temb, rotary):
        shift, scale, gate, c_shift, c_scale, c_gate = (self.scale_shift_table + temb).chunk(6, dim=1)
        x = x + self.attn1(self.norm1(x) * (1 + scale) + shift, None, None, rotary) * gate
        x = x + self.attn2(self.norm2(x), context, None, None)
        return x + self.ffn(self.norm3(x) * (1 + c_scale) + c_shift) * c_gate


class TinyVaceTransformer(nn.Module):
    """WanVACETransformer3DModel's layout (§4, §5.6): patch (1, 2, 2), VACE hints added after blocks; head_dim
    128 as the contract's RoPE tables (64 pairs) require."""

    def __init__(self, dim: int = 256, heads: int = 2, ffn: int = 64, layers: int = 2, vace_layers=(0,)) -> None:
        super().__init__()
        self.config = SimpleNamespace(attention_head_dim=dim // heads)
        self.vace_layers = list(vace_layers)
        self.rope = ComplexRope(dim // heads)
        self.patch_embedding = nn.Conv3d(LATENT, dim, (1, 2, 2), stride=(1, 2, 2))
        self.vace_patch_embedding = nn.Conv3d(VACE, dim, (1, 2, 2), stride=(1, 2, 2))
        self.condition_embedder = ConditionEmbedder(dim)
        self.blocks = nn.ModuleList([Block(dim, heads, ffn) for _ in range(layers)])
        self.vace_blocks = nn.ModuleList(
            [Block(dim, heads, ffn, proj_in=i == 0, proj_out=True) for i in range(len(self.vace_layers))]
        )
        self.norm_out = plain_layer_norm(dim)
        self.proj_out = nn.Linear(dim, LATENT * 4)
        self.scale_shift_table = nn.Parameter(torch.randn(1, 2, dim) / dim**0.5)

    def forward(self, hidden_states, timestep, encoder_hidden_states, control_hidden_states, return_dict=True):
        batch, _, frames, height, width = hidden_states.shape
        rotary = self.rope(hidden_states)
        x = self.patch_embedding(hidden_states).flatten(2).transpose(1, 2)
        c = self.vace_patch_embedding(control_hidden_states).flatten(2).transpose(1, 2)
        temb, temb6, context = self.condition_embedder(timestep, encoder_hidden_states)
        temb6 = temb6.reshape(batch, 6, -1)  # diffusers: unflatten, which torch 1.13 cannot export
        hints = []
        for block in self.vace_blocks:
            if block.proj_in is not None:
                c = block.proj_in(c) + x
            c = block(c, context, temb6, rotary)
            hints.append(block.proj_out(c))
        for i, block in enumerate(self.blocks):
            x = block(x, context, temb6, rotary)
            if i in self.vace_layers:
                x = x + hints[self.vace_layers.index(i)]
        shift, scale = (self.scale_shift_table + temb.unsqueeze(1)).chunk(2, dim=1)
        x = self.proj_out(self.norm_out(x) * (1 + scale) + shift)
        # Unpatchify (§4.2): token (f, y, x) column (2q + r)·16 + c → latent (c, f, 2y + q, 2x + r).
        x = x.reshape(batch, frames, height // 2, width // 2, 2, 2, LATENT)
        out = x.permute(0, 6, 1, 2, 4, 3, 5).reshape(batch, LATENT, frames, height, width)
        return (out,) if not return_dict else {"sample": out}


def rope_tables(frames: int, rows: int, cols: int, head_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """cos, sin [tokens, head_dim/2] as the plugin feeds them (docs/models/wan.md §4.7), by plain loops."""
    row_pairs = head_dim // 6
    frame_pairs = head_dim // 2 - 2 * row_pairs
    angles = np.zeros((frames * rows * cols, head_dim // 2))
    for f in range(frames):
        for y in range(rows):
            for x in range(cols):
                token = (f * rows + y) * cols + x
                for k in range(frame_pairs):
                    angles[token, k] = f * 10000 ** (-2 * k / (2 * frame_pairs))
                for k in range(row_pairs):
                    angles[token, frame_pairs + k] = y * 10000 ** (-2 * k / (2 * row_pairs))
                    angles[token, frame_pairs + row_pairs + k] = x * 10000 ** (-2 * k / (2 * row_pairs))
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


# ── UMT5 encoder ─────────────────────────────────────────────────────────────────────────────


class T5Norm(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(1 + 0.1 * torch.randn(dim))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


def position_buckets(query_len: int, key_len: int, buckets: int = 32, max_distance: int = 128) -> torch.Tensor:
    """T5's bidirectional relative-position buckets (docs/models/wan.md §3.1)."""
    relative = torch.arange(key_len)[None, :] - torch.arange(query_len)[:, None]
    half = buckets // 2
    bucket = (relative > 0).long() * half
    distance = relative.abs()
    exact = half // 2
    large = exact + (torch.log(distance.float() / exact) / math.log(max_distance / exact) * (half - exact)).long()
    large = torch.min(large, torch.full_like(large, half - 1))
    return bucket + torch.where(distance < exact, distance, large)


class T5SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.relative_attention_bias = nn.Embedding(32, heads)

    def forward(self, x, mask_bias):
        batch, tokens, width = x.shape

        def split(t):
            return t.reshape(batch, tokens, self.heads, -1).transpose(1, 2)

        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2)  # no 1/√d in T5
        bias = self.relative_attention_bias(position_buckets(tokens, tokens)).permute(2, 0, 1)[None]
        weights = (scores + bias + mask_bias).softmax(-1)
        return self.o((weights @ split(self.v(x))).transpose(1, 2).reshape(batch, tokens, width))


class AttentionLayer(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.layer_norm = T5Norm(dim)
        self.SelfAttention = T5SelfAttention(dim, heads)

    def forward(self, x, mask_bias):
        return (x + self.SelfAttention(self.layer_norm(x), mask_bias),)


class FeedForwardLayer(nn.Module):
    def __init__(self, dim: int, ffn: int) -> None:
        super().__init__()
        self.layer_norm = T5Norm(dim)
        self.wi_0, self.wi_1 = nn.Linear(dim, ffn, bias=False), nn.Linear(dim, ffn, bias=False)
        self.wo = nn.Linear(ffn, dim, bias=False)

    def forward(self, x):
        h = self.layer_norm(x)
        return x + self.wo(F.gelu(self.wi_0(h), approximate="tanh") * self.wi_1(h))


class T5Block(nn.Module):
    def __init__(self, dim: int, heads: int, ffn: int) -> None:
        super().__init__()
        self.layer = nn.ModuleList([AttentionLayer(dim, heads), FeedForwardLayer(dim, ffn)])

    def forward(self, x, mask_bias):
        return self.layer[1](self.layer[0](x, mask_bias)[0])


class Stack(nn.Module):
    def __init__(self, vocab: int, dim: int, heads: int, ffn: int, layers: int) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, dim)
        self.block = nn.ModuleList([T5Block(dim, heads, ffn) for _ in range(layers)])
        self.final_layer_norm = T5Norm(dim)

    def forward(self, input_ids, attention_mask):
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.embed_tokens(input_ids)
        for block in self.block:
            x = block(x, mask_bias)
        return self.final_layer_norm(x)


class TinyUmt5Encoder(nn.Module):
    """UMT5EncoderModel's call (input_ids, attention_mask, return_dict) and module names
    (encoder.block.N.layer.M); `widen` stands in for the 4096-wide model so the output has the contract's width."""

    def __init__(self, vocab: int = 100, dim: int = 16, heads: int = 2, ffn: int = 24, layers: int = 2) -> None:
        super().__init__()
        self.encoder = Stack(vocab, dim, heads, ffn, layers)
        self.widen = nn.Linear(dim, TEXT_DIM, bias=False)

    def forward(self, input_ids, attention_mask, return_dict=True):
        out = self.widen(self.encoder(input_ids, attention_mask))
        return (out,) if not return_dict else {"last_hidden_state": out}


# ── VAE ──────────────────────────────────────────────────────────────────────────────────────


class CausalConv3d(nn.Conv3d):
    """Zero padding only before the first frame; a cache of past frames replaces that padding."""

    def __init__(self, cin: int, cout: int, kernel, stride=1, padding=0) -> None:
        super().__init__(cin, cout, kernel, stride=stride, padding=padding)
        self._causal = (self.padding[2], self.padding[2], self.padding[1], self.padding[1], 2 * self.padding[0], 0)
        self.padding = (0, 0, 0)

    def forward(self, x, cache_x=None):
        pad = list(self._causal)
        if cache_x is not None and pad[4] > 0:
            x = torch.cat([cache_x, x], dim=2)
            pad[4] -= cache_x.shape[2]
        return super().forward(F.pad(x, pad))


def cached_conv(conv, x, feat_cache, feat_idx):
    """One cached causal conv: the slot keeps the last CACHE_T frames of the conv's input."""
    if feat_cache is None:
        return conv(x)
    slot = feat_idx[0]
    keep = x[:, :, -CACHE_T:].clone()
    if keep.shape[2] < CACHE_T and feat_cache[slot] is not None:
        keep = torch.cat([feat_cache[slot][:, :, -1:], keep], dim=2)
    x = conv(x, feat_cache[slot])
    feat_cache[slot] = keep
    feat_idx[0] += 1
    return x


class ChannelNorm(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(1 + 0.1 * torch.randn(dim, 1, 1, 1))
        self.scale = dim**0.5

    def forward(self, x):
        return F.normalize(x, dim=1) * self.scale * self.gamma


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = ChannelNorm(cin), CausalConv3d(cin, cout, 3, padding=1)
        self.norm2, self.conv2 = ChannelNorm(cout), CausalConv3d(cout, cout, 3, padding=1)
        self.conv_shortcut = CausalConv3d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006 - the diffusers signature
        h = self.conv_shortcut(x)
        x = cached_conv(self.conv1, F.silu(self.norm1(x)), feat_cache, feat_idx)
        return cached_conv(self.conv2, F.silu(self.norm2(x)), feat_cache, feat_idx) + h


class Resample(nn.Module):
    """Spatial ×2 / ÷2 per frame, plus for the 3d modes a temporal conv with its own cache rules (§6.4)."""

    def __init__(self, dim: int, mode: str) -> None:
        super().__init__()
        self.mode = mode
        if mode.startswith("upsample"):
            upsample = nn.Upsample(scale_factor=(2.0, 2.0), mode="nearest")  # = nearest-exact at ×2
            self.resample = nn.Sequential(upsample, nn.Conv2d(dim, dim // 2, 3, padding=1))
        else:
            self.resample = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(dim, dim, 3, stride=2))
        if mode == "upsample3d":
            self.time_conv = CausalConv3d(dim, dim * 2, (3, 1, 1), padding=(1, 0, 0))
        elif mode == "downsample3d":
            self.time_conv = CausalConv3d(dim, dim, (3, 1, 1), stride=(2, 1, 1))

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006 - the diffusers signature
        batch, channels, frames, height, width = x.shape
        if self.mode == "upsample3d" and feat_cache is not None:
            slot = feat_idx[0]
            if feat_cache[slot] is None:  # first chunk: no temporal upsampling
                feat_cache[slot] = "Rep"
            else:
                keep = x[:, :, -CACHE_T:].clone()
                rep = isinstance(feat_cache[slot], str)
                if keep.shape[2] < CACHE_T:
                    before = torch.zeros_like(keep) if rep else feat_cache[slot][:, :, -1:]
                    keep = torch.cat([before, keep], dim=2)
                x = self.time_conv(x) if rep else self.time_conv(x, feat_cache[slot])
                feat_cache[slot] = keep
                x = x.reshape(batch, 2, channels, frames, height, width)
                x = torch.stack((x[:, 0], x[:, 1]), dim=3).reshape(batch, channels, frames * 2, height, width)
            feat_idx[0] += 1
        frames = x.shape[2]
        x = self.resample(x.permute(0, 2, 1, 3, 4).reshape(batch * frames, channels, height, width))
        x = x.reshape(batch, frames, *x.shape[1:]).permute(0, 2, 1, 3, 4)
        if self.mode == "downsample3d" and feat_cache is not None:
            slot = feat_idx[0]
            if feat_cache[slot] is None:  # first chunk: the frame passes through
                feat_cache[slot] = x.clone()
            else:
                keep = x[:, :, -1:].clone()
                x = self.time_conv(torch.cat([feat_cache[slot][:, :, -1:], x], dim=2))
                feat_cache[slot] = keep
            feat_idx[0] += 1
        return x


class Decoder(nn.Module):
    """Wan's decoder layout (§6.5): conv_in, 2 middle blocks, 4 levels of 3 blocks (temporal
    upsampling after levels 0 and 1, spatial after 0–2), conv_out: 32 cache slots."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_in = CausalConv3d(LATENT, 8, 3, padding=1)
        self.mid = nn.ModuleList([ResBlock(8, 8), ResBlock(8, 8)])
        self.levels = nn.ModuleList(
            [
                nn.ModuleList([ResBlock(8, 8), ResBlock(8, 8), ResBlock(8, 8), Resample(8, "upsample3d")]),
                nn.ModuleList([ResBlock(4, 8), ResBlock(8, 8), ResBlock(8, 8), Resample(8, "upsample3d")]),
                nn.ModuleList([ResBlock(4, 8), ResBlock(8, 8), ResBlock(8, 8), Resample(8, "upsample2d")]),
                nn.ModuleList([ResBlock(4, 4), ResBlock(4, 4), ResBlock(4, 4)]),
            ]
        )
        self.norm_out = ChannelNorm(4)
        self.conv_out = CausalConv3d(4, 3, 3, padding=1)

    def forward(self, x, feat_cache=None, feat_idx=[0], first_chunk=False):  # noqa: B006
        x = cached_conv(self.conv_in, x, feat_cache, feat_idx)
        for layer in [*self.mid, *(layer for level in self.levels for layer in level)]:
            x = layer(x, feat_cache, feat_idx)
        return cached_conv(self.conv_out, F.silu(self.norm_out(x)), feat_cache, feat_idx)


class Encoder(nn.Module):
    """Spatial ÷8 (three downsamplers), temporal ÷4 (the last two are 3d), 32 output channels (μ ‖ log σ²)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_in = CausalConv3d(3, 4, 3, padding=1)
        self.down_blocks = nn.ModuleList(
            [
                ResBlock(4, 4),
                Resample(4, "downsample2d"),
                ResBlock(4, 4),
                Resample(4, "downsample3d"),
                ResBlock(4, 4),
                Resample(4, "downsample3d"),
                ResBlock(4, 4),
            ]
        )
        self.norm_out = ChannelNorm(4)
        self.conv_out = CausalConv3d(4, 2 * LATENT, 3, padding=1)

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006
        x = cached_conv(self.conv_in, x, feat_cache, feat_idx)
        for layer in self.down_blocks:
            x = layer(x, feat_cache, feat_idx) if feat_cache is not None else layer(x)
        return cached_conv(self.conv_out, F.silu(self.norm_out(x)), feat_cache, feat_idx)


class TinyVae(nn.Module):
    """AutoencoderKLWan's parts (encoder, quant_conv, post_quant_conv, decoder) and its chunked loops."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = Encoder()
        self.quant_conv = CausalConv3d(2 * LATENT, 2 * LATENT, 1)
        self.post_quant_conv = CausalConv3d(LATENT, LATENT, 1)
        self.decoder = Decoder()

    @torch.no_grad()
    def encode_mean(self, video):
        """Chunks of 1, 4, 4, … frames with caches ([WAN] / [DF] `_encode`); returns μ."""
        cache: list = [None] * 64
        chunks = [video[:, :, :1]] + [video[:, :, 1 + 4 * i : 5 + 4 * i] for i in range((video.shape[2] - 1) // 4)]
        out = torch.cat([self.encoder(chunk, feat_cache=cache, feat_idx=[0]) for chunk in chunks], dim=2)
        return self.quant_conv(out)[:, :LATENT]

    @torch.no_grad()
    def decode(self, latent):
        """One latent frame per call with caches ([WAN] / [DF] `_decode`), not clamped."""
        cache: list = [None] * 64
        x = self.post_quant_conv(latent)
        frames = [
            self.decoder(x[:, :, i : i + 1], feat_cache=cache, feat_idx=[0], first_chunk=i == 0)
            for i in range(latent.shape[2])
        ]
        return torch.cat(frames, dim=2)
