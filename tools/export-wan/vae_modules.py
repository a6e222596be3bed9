"""Wan-VAE wrappers for the export (docs/models/wan.md §6.4–6.6); no diffusers import.

They drive diffusers' AutoencoderKLWan through its own calling convention: `encoder(x, feat_cache,
feat_idx)` / `decoder(x, feat_cache, feat_idx, first_chunk)`, where `feat_cache` is a list with one
slot per causal conv, each holding the last CACHE_T = 2 frames of that conv's input (or None, or the
string 'Rep' for a temporal upsampler's conv skipped in the first chunk), and `feat_idx` a one-item
list counting the slots used. Tracing through those Python lists with tensors from the graph inputs
turns the cache into graph I/O.
"""

from __future__ import annotations

import torch
from torch import nn

CACHE_T = 2


def _resamplers(module: nn.Module, mode: str) -> list[nn.Module]:
    return [m for m in module.modules() if getattr(m, "mode", None) == mode and hasattr(m, "time_conv")]


class VaeDecoderFirstExport(nn.Module):
    """latent [1, 16, 1, h, w] → frames [1, 3, 1, 8h, 8w] and the caches in their steady-state form.

    After the first chunk [WAN]/[DF] leave one frame in each conv cache and 'Rep' in the two
    temporal-upsampler slots; `[zeros, frame]` and two zero frames give the same next chunk
    (docs/models/wan.md §6.5), and every cache then has one shape: [1, C, 2, h', w'].
    """

    def __init__(self, vae: nn.Module, cache_count: int) -> None:
        super().__init__()
        self.vae = vae
        self.cache_count = cache_count
        self._rep_inputs: dict[int, torch.Tensor] = {}
        for resampler in _resamplers(vae.decoder, "upsample3d"):
            resampler.forward = _recording_rep_input(resampler.forward, self._rep_inputs)

    def forward(self, latent):
        feat_cache: list = [None] * self.cache_count
        self._rep_inputs.clear()
        x = self.vae.post_quant_conv(latent)
        frames = self.vae.decoder(x, feat_cache=feat_cache, feat_idx=[0], first_chunk=True)
        caches = []
        for index, cache in enumerate(feat_cache):
            if isinstance(cache, str):  # 'Rep': the skipped temporal conv sees two zero frames next time
                first_input = self._rep_inputs[index]
                caches.append(torch.cat([torch.zeros_like(first_input)] * CACHE_T, dim=2))
            elif cache is None:
                raise RuntimeError(f"decoder cache slot {index} unused: the model has fewer than {self.cache_count}")
            elif cache.shape[2] == 1:
                caches.append(torch.cat([torch.zeros_like(cache), cache], dim=2))
            else:
                caches.append(cache)
        return (frames, *caches)


def _recording_rep_input(forward, inputs: dict[int, torch.Tensor]):
    """Wraps a temporal upsampler's forward to remember its input when it marks its slot 'Rep'."""

    def wrapped(x, feat_cache=None, feat_idx=None, *args, **kwargs):
        slot = feat_idx[0] if feat_idx is not None else None
        if feat_cache is not None and slot is not None and feat_cache[slot] is None:
            inputs[slot] = x
        if feat_idx is None:
            return forward(x, feat_cache, *args, **kwargs)
        return forward(x, feat_cache, feat_idx, *args, **kwargs)

    return wrapped


class VaeDecoderExport(nn.Module):
    """latent [1, 16, 1, h, w] + cache_0…cache_N−1 → frames [1, 3, 4, 8h, 8w] + the new caches (§6.5)."""

    def __init__(self, vae: nn.Module, cache_count: int) -> None:
        super().__init__()
        self.vae = vae
        self.cache_count = cache_count

    def forward(self, latent, *caches):
        if len(caches) != self.cache_count:
            raise ValueError(f"expected {self.cache_count} caches, got {len(caches)}")
        feat_cache = list(caches)
        feat_idx = [0]
        x = self.vae.post_quant_conv(latent)
        frames = self.vae.decoder(x, feat_cache=feat_cache, feat_idx=feat_idx, first_chunk=False)
        if feat_idx[0] != self.cache_count:
            raise RuntimeError(f"the decoder used {feat_idx[0]} cache slots, not {self.cache_count}")
        return (frames, *feat_cache)


def count_decoder_caches(vae: nn.Module, latent: torch.Tensor) -> int:
    """Runs one first chunk and counts the cache slots the decoder uses (32 for Wan 2.1, §6.5)."""
    feat_idx = [0]
    with torch.no_grad():
        vae.decoder(vae.post_quant_conv(latent), feat_cache=[None] * 256, feat_idx=feat_idx, first_chunk=True)
    return feat_idx[0]


class VaeEncoderExport(nn.Module):
    """video [1, 3, F, H, W] in [-1, 1] → posterior mean μ [1, 16, (F − 1)/4 + 1, H/8, W/8] (not normalised).

    One causal pass over all frames instead of [WAN]'s chunks of 1, 4, 4, … frames. The two agree
    (docs/models/wan.md §6.4): a cached causal conv fed chunk by chunk equals the conv over the whole
    sequence with two zero frames in front (its padding without a cache), and the per-frame layers
    (norms, attention, 1×1×1 convs) do not care. The one exception is the temporal downsampler,
    which passes the first chunk's frame through and, later, convolves (kernel 3, stride 2, no
    padding) each chunk with the previous chunk's last frame in front: over the whole sequence that
    is `[x₀] ++ conv(x₀ … x_{n−1})`. `_downsample_whole` does exactly that, for any n = 2k + 1
    (n = 1 included: the conv part is then empty).
    """

    def __init__(self, vae: nn.Module) -> None:
        super().__init__()
        self.vae = vae
        downsamplers = _resamplers(vae.encoder, "downsample3d")
        if not downsamplers:
            raise ValueError("no temporal downsamplers (mode 'downsample3d' with time_conv) in the encoder")
        for resampler in downsamplers:
            resampler.forward = _downsample_whole(resampler)

    def forward(self, video):
        moments = self.vae.quant_conv(self.vae.encoder(video))
        return moments[:, : moments.shape[1] // 2]


def _downsample_whole(resampler: nn.Module):
    def forward(x, feat_cache=None, feat_idx=None):
        del feat_cache, feat_idx  # one pass: no cache
        batch, channels, frames, height, width = x.shape
        x = x.permute(0, 2, 1, 3, 4).reshape(batch * frames, channels, height, width)
        x = resampler.resample(x)
        x = x.reshape(batch, frames, x.shape[1], x.shape[2], x.shape[3]).permute(0, 2, 1, 3, 4)
        # Two zero frames at the end give the conv one output too many (and an input of length ≥ 3
        # when n = 1); the slice keeps (n − 1)/2 outputs, the windows (x₀x₁x₂), (x₂x₃x₄), …
        padded = torch.cat([x, torch.zeros_like(x[:, :, :1]), torch.zeros_like(x[:, :, :1])], dim=2)
        later = resampler.time_conv(padded)[:, :, : (frames - 1) // 2]
        return torch.cat([x[:, :, :1], later], dim=2)

    return forward
