"""Sequence models (PyTorch) over feature windows: LSTM (default), GRU and a temporal CNN.

Each maps (batch, steps, features) to one logit per window (and, when built with an
auxiliary head, the behaviour logits that only training uses); ``Probability`` wraps a
model with its calibration temperature and a sigmoid for export.

Example:
    >>> import torch
    >>> model = build_model("tcn", num_features=104)
    >>> model(torch.zeros(2, 30, 104)).shape
    torch.Size([2])
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from shopguard.behavior.features import NUM_FEATURES

Arch = Literal["lstm", "gru", "tcn"]
ARCHS: tuple[Arch, ...] = ("lstm", "gru", "tcn")


class WindowModel(nn.Module):
    """Pooled window encoding → one logit; optionally also ``aux_classes`` logits from an
    auxiliary head (training only: it predicts the behaviour at the window's end, which
    shapes the encoding; ``forward``, and so the ONNX export, returns the logit alone)."""

    def __init__(self, pooled: int, aux_classes: int) -> None:
        super().__init__()
        self.head = nn.Linear(pooled, 1)
        self.aux = nn.Linear(pooled, aux_classes) if aux_classes else None

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encode(x)).squeeze(-1)

    def forward_aux(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The logit and the auxiliary head's logits (``None`` without that head)."""
        pooled = self.encode(x)
        aux = self.aux(pooled) if self.aux is not None else None
        return self.head(pooled).squeeze(-1), aux


class _Recurrent(WindowModel):
    """Input projection → one recurrent layer → the last step and the mean, pooled."""

    def __init__(
        self, cell: type[nn.LSTM] | type[nn.GRU], num_features: int, hidden: int,
        aux_classes: int = 0,
    ) -> None:
        super().__init__(2 * hidden, aux_classes)
        self.proj = nn.Sequential(nn.Linear(num_features, hidden), nn.ReLU())
        self.rnn = cell(hidden, hidden, batch_first=True)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.proj(x))
        return torch.cat([out[:, -1], out.mean(dim=1)], dim=-1)


class _TemporalBlock(nn.Module):
    """Residual dilated causal convolution."""

    def __init__(self, channels: int, dilation: int, kernel: int = 3) -> None:
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.conv = nn.Conv1d(channels, channels, kernel, dilation=dilation)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.act(self.conv(nn.functional.pad(x, (self.pad, 0))))


class TemporalCNN(WindowModel):
    """Stack of dilated causal convolutions (dilation 1, 2, 4, 8) and a pooled head."""

    def __init__(self, num_features: int, hidden: int, aux_classes: int = 0) -> None:
        super().__init__(2 * hidden, aux_classes)
        self.proj = nn.Conv1d(num_features, hidden, 1)
        self.blocks = nn.Sequential(*(_TemporalBlock(hidden, d) for d in (1, 2, 4, 8)))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(torch.relu(self.proj(x.transpose(1, 2))))
        return torch.cat([h[:, :, -1], h.mean(dim=2)], dim=-1)


def build_model(
    arch: Arch, num_features: int, hidden: int = 64, aux_classes: int = 0
) -> WindowModel:
    """A fresh model of the given architecture (with an auxiliary head of
    ``aux_classes`` outputs when that is not 0)."""
    if arch == "lstm":
        return _Recurrent(nn.LSTM, num_features, hidden, aux_classes)
    if arch == "gru":
        return _Recurrent(nn.GRU, num_features, hidden, aux_classes)
    if arch == "tcn":
        return TemporalCNN(num_features, hidden, aux_classes)
    raise ValueError(f"unknown architecture {arch!r}; choose one of {ARCHS}")


class Probability(nn.Module):
    """``sigmoid(logit / temperature)``: the calibrated probability that ONNX serves."""

    def __init__(self, model: nn.Module, temperature: float = 1.0) -> None:
        super().__init__()
        self.model = model
        self.temperature = temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(x) / self.temperature)


def save_checkpoint(path: Path, model: nn.Module, info: dict[str, Any]) -> Path:
    """Write weights plus ``info`` (must hold ``arch``, ``hidden``, ``feature_config``)."""
    missing = {"arch", "hidden", "feature_config"} - info.keys()
    if missing:
        raise ValueError(f"checkpoint info lacks {sorted(missing)}")
    torch.save({"state_dict": model.state_dict(), "info": info}, path)
    return path


def load_checkpoint(path: Path) -> tuple[WindowModel, dict[str, Any]]:
    """The model (eval mode) and info saved by ``save_checkpoint``."""
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
        info = data["info"]
        model = build_model(info["arch"], info.get("num_features", NUM_FEATURES),
                            info["hidden"], info.get("aux_classes", 0))
        model.load_state_dict(data["state_dict"])
    except (OSError, EOFError, KeyError, RuntimeError, TypeError, pickle.UnpicklingError) as exc:
        raise ValueError(f"{path}: not a ShopGuard behaviour checkpoint ({exc})") from exc
    return model.eval(), info
