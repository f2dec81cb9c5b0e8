"""The training loop: windows in, trained network and per-epoch history out."""

__all__ = ["LOSSES", "TrainingSettings", "train_network"]

import copy
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from ._runtime import resolve_device, torch_session

LOSSES = {
    "mse": torch.nn.functional.mse_loss,
    "mae": torch.nn.functional.l1_loss,
    "huber": torch.nn.functional.huber_loss,
}
_GRAD_CLIP = 1.0  # max gradient norm, keeps LSTM training stable
_EVAL_BATCH = 1024  # validation windows per forward pass


@dataclass(frozen=True)
class TrainingSettings:
    """How to train: the forecaster's training parameters, checked by the caller.

    Parameters
    ----------
    max_epochs : int
        Upper bound on epochs.
    batch_size : int
        Windows per gradient step.
    learning_rate : float
        Adam learning rate.
    loss : {"mse", "mae", "huber"}
        Training loss.
    patience : int
        Epochs without a better validation loss before training stops (only
        with validation windows).
    teacher_forcing_ratio : float
        Probability of feeding the decoder the true previous value in training.
    windows_per_epoch : int or None
        Windows sampled per epoch; None trains on every window. Validation also
        reads at most this many windows, evenly spaced over the held-out ones and
        the same every epoch.
    seed : int
        Seeds weight initialisation, dropout, batch order and teacher forcing.
    lr_reduce_patience : int or None, default=None
        Epochs without a better validation loss after which the learning rate
        is halved (only with validation windows); None keeps it constant.
    device : {"auto", "cpu", "cuda"}, default="cpu"
        Training device.
    num_threads : int or None, default=None
        Torch CPU threads; None leaves torch's setting alone.
    verbose : bool, default=False
        Show a progress bar over epochs (tqdm, on stderr) with the losses, the
        rate and the time left.

    Examples
    --------
    >>> from sktime_attention.training import TrainingSettings
    >>> settings = TrainingSettings(
    ...     max_epochs=10, batch_size=32, learning_rate=1e-3, loss="mse", patience=3,
    ...     teacher_forcing_ratio=1.0, windows_per_epoch=None, seed=0,
    ... )
    >>> settings.device, settings.num_threads
    ('cpu', None)
    """

    max_epochs: int
    batch_size: int
    learning_rate: float
    loss: str
    patience: int
    teacher_forcing_ratio: float
    windows_per_epoch: int | None
    seed: int
    lr_reduce_patience: int | None = None
    device: str = "cpu"
    num_threads: int | None = None
    verbose: bool = False


def train_network(build, windows, settings):
    """Train the network that ``build()`` returns on ``windows``.

    Parameters
    ----------
    build : callable
        Returns the module to train; called under the seed, so a fresh network's
        initial weights follow ``settings.seed`` (pass a deep copy to continue
        training a fitted one).
    windows : Windows
        Training and validation windows.
    settings : TrainingSettings
        Epochs, batches, optimiser, loss, early stopping, seed, device, threads.

    Returns
    -------
    network : torch.nn.Module
        On the CPU in eval mode; with validation windows, the weights of the best
        epoch (early stopping restores them).
    history : list of dict
        Per epoch ``epoch``, ``train_loss`` and, with validation, ``val_loss``
        (and ``learning_rate``, the one used in the epoch, with
        ``lr_reduce_patience``).

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.networks import AttentionSeq2Seq
    >>> from sktime_attention.training import TrainingSettings, Windows, train_network
    >>> series = np.sin(np.arange(60) / 3)[:, None]  # one scaled series, (L, F)
    >>> windows = Windows([series], 8, 2, 1, validation_fraction=0.2, center=False)
    >>> settings = TrainingSettings(
    ...     max_epochs=2, batch_size=16, learning_rate=1e-2, loss="mse", patience=5,
    ...     teacher_forcing_ratio=1.0, windows_per_epoch=None, seed=0,
    ... )
    >>> def build():
    ...     return AttentionSeq2Seq(1, 0, 8, hidden_size=4, horizon=2)
    >>> network, history = train_network(build, windows, settings)
    >>> [sorted(record) for record in history][0]
    ['epoch', 'train_loss', 'val_loss']
    """
    device = resolve_device(settings.device)
    rng = np.random.default_rng(settings.seed)
    loss_fn = LOSSES[settings.loss]
    history, best, best_loss, stale = [], None, np.inf, 0
    valid = _spread(windows.valid, settings.windows_per_epoch)
    bar = tqdm(
        total=settings.max_epochs,
        desc="training",
        unit="epoch",
        disable=not settings.verbose,
    )
    with bar, torch_session(settings.seed, settings.num_threads, device):
        network = build().to(device)
        optimizer = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
        schedule = None  # stepped on the validation loss, so only with validation
        if settings.lr_reduce_patience is not None:
            schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(
                optimizer, factor=0.5, patience=settings.lr_reduce_patience - 1
            )
        for epoch in range(1, settings.max_epochs + 1):
            network.train()
            starts = rng.permutation(windows.train)[: settings.windows_per_epoch]
            total = 0.0
            for i in range(0, len(starts), settings.batch_size):
                past, future, target = windows.batch(
                    starts[i : i + settings.batch_size], device
                )
                pred, _ = network(
                    past,
                    future,
                    target.shape[1],
                    target,
                    settings.teacher_forcing_ratio,
                )
                loss = loss_fn(pred, target)
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), _GRAD_CLIP)
                optimizer.step()
                total += loss.item() * len(past)
            record = {"epoch": epoch, "train_loss": total / len(starts)}
            if len(valid):
                record["val_loss"] = _validation_loss(
                    network, windows, valid, loss_fn, device
                )
                if schedule is not None:
                    record["learning_rate"] = optimizer.param_groups[0]["lr"]
                    schedule.step(record["val_loss"])
                if record["val_loss"] < best_loss:
                    best_loss, stale = record["val_loss"], 0
                    best = copy.deepcopy(network.state_dict())
                else:
                    stale += 1
            history.append(record)
            bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if k != "epoch"})
            bar.update(1)
            if stale >= settings.patience:
                break
    if best is not None:
        network.load_state_dict(best)  # early stopping keeps the best epoch
    return network.cpu().eval(), history


def _spread(starts, at_most):
    """At most ``at_most`` of ``starts``, evenly spaced (all of them for None).

    Neighbouring validation windows overlap in all but one point, so a spread
    subset scores nearly the same loss at a fraction of the cost.
    """
    if at_most is None or len(starts) <= at_most:
        return starts
    return starts[np.linspace(0, len(starts) - 1, at_most).round().astype(int)]


@torch.no_grad()
def _validation_loss(network, windows, valid, loss_fn, device):
    """Mean loss per validation window ``valid``, forecasting without the truth."""
    network.eval()
    total = 0.0
    for i in range(0, len(valid), _EVAL_BATCH):
        past, future, target = windows.batch(valid[i : i + _EVAL_BATCH], device)
        pred, _ = network(past, future, target.shape[1])
        total += loss_fn(pred, target, reduction="sum").item() / target[0].numel()
    return total / len(valid)
