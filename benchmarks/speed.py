"""Training throughput: attention models against a plain LSTM + linear head.

The floor for this architecture is one ``torch.nn.LSTM`` pass over the window and a
linear head emitting all H steps at once. Every model trains on the same synthetic
panel with the same window, horizon, hidden size, windows per step and threads.
Throughput is timed by differences: each model trains for ``--epochs`` and for
twice as many, and windows/s = extra windows / extra seconds, so start-up (data
conversion, network construction, Lightning's set-up) drops out.

``--clock cpu`` times the process's CPU seconds instead of wall seconds: with one
torch thread per model this is the work done, and it moves less than wall time
when other jobs share the cores.

If ``neuralforecast`` is importable, its ``LSTM`` (encoder LSTM + MLP decoder,
trained through Lightning) joins at equal sizes (input 168, horizon 48, hidden 64,
one layer, 256 windows per step); otherwise its row says it was skipped.

    python benchmarks/speed.py --epochs 1 --windows-per-epoch 2048
"""

import argparse
import logging
import time
import warnings

import numpy as np
import torch
from torch import nn

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.synthetic import make_panel

CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # --clock sets it


class PlainLSTM(nn.Module):
    def __init__(self, hidden, horizon):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, past):
        out, _ = self.lstm(past)
        return self.head(out[:, -1])


def plain_seconds(y, args, epochs):
    """Seconds to train the plain LSTM for ``epochs`` of the sampled windows."""
    window, horizon = args.window, args.horizon
    values = [g["y"].to_numpy(np.float32) for _, g in y.groupby(level=0)]
    data = torch.from_numpy(np.concatenate(values))
    offsets = np.cumsum([0] + [len(v) for v in values[:-1]])
    starts = np.concatenate(
        [o + np.arange(len(v) - window - horizon + 1) for o, v in zip(offsets, values)]
    )
    steps = torch.arange(window + horizon)
    torch.manual_seed(0)
    net = PlainLSTM(args.hidden, horizon)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    rng = np.random.default_rng(0)
    start = clock()
    for _ in range(epochs):
        chosen = rng.permutation(starts)[: args.windows_per_epoch]
        for i in range(0, len(chosen), args.batch):
            w = data[torch.from_numpy(chosen[i : i + args.batch])[:, None] + steps]
            w = w - w[:, window - 1 : window]  # centred on the last value, as ours
            loss = nn.functional.mse_loss(net(w[:, :window, None]), w[:, window:])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return clock() - start


def attention_seconds(y, args, epochs, **kwargs):
    """Seconds to fit an AttentionLSTMForecaster for ``epochs``."""
    if kwargs.get("attention_size") == "hidden":  # full width at any --hidden
        kwargs = {**kwargs, "attention_size": args.hidden}
    forecaster = AttentionLSTMForecaster(
        window_length=args.window,
        horizon=args.horizon,
        hidden_size=args.hidden,
        batch_size=args.batch,
        max_epochs=epochs,
        windows_per_epoch=args.windows_per_epoch,
        random_state=0,
        # one network's training: the default "holdout" interval calibration
        # trains a second network on 80% of each series (its cost is reported by
        # coverage_attention.py), which timing by differences would count too
        **{"validation_fraction": 0.0, "interval_calibration": "insample", **kwargs},
    )
    start = clock()
    forecaster.fit(y)
    return clock() - start


def neuralforecast_seconds(y, args, epochs):
    """Seconds to fit neuralforecast's LSTM for ``epochs`` x the steps per epoch."""
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    frame = y.reset_index()
    frame.columns = ["unique_id", "ds", "y"]
    steps = max(args.windows_per_epoch // args.batch, 1) * epochs
    model = LSTM(
        h=args.horizon,
        input_size=args.window,
        encoder_n_layers=1,
        encoder_hidden_size=args.hidden,
        decoder_hidden_size=args.hidden,
        decoder_layers=1,
        max_steps=steps,
        batch_size=args.series,
        windows_batch_size=args.batch,
        val_check_steps=10 * steps,
        learning_rate=1e-3,
        random_seed=0,
        accelerator="cpu",
        devices=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
    )
    start = clock()
    NeuralForecast(models=[model], freq=1).fit(frame)
    return clock() - start


def by_difference(seconds, args):
    """Windows/s from two runs of ``args.epochs`` and twice as many epochs."""
    short, long = seconds(args.epochs), seconds(2 * args.epochs)
    windows = args.epochs * args.windows_per_epoch
    return windows / max(long - short, 1e-9)


MODELS = {  # name: keyword arguments of AttentionLSTMForecaster
    "package defaults (decoder direct, default attention)": {},
    "M4 recipe (benchmarks/m4.py: luong_general, mae, lr 3e-3, full width)": {
        "attention": "luong_general",
        "loss": "mae",
        "learning_rate": 3e-3,
        "attention_size": "hidden",
    },
    "M4 recipe with seasonal lags 24, 168 (benchmarks/m4.py now; per network)": {
        "attention": "luong_general",
        "loss": "mae",
        "learning_rate": 3e-3,
        "attention_size": "hidden",
        "seasonal_lags": [24, 168],
    },
    "M4 recipe at the default attention size (d = 16 at D = 64)": {
        "attention": "luong_general",
        "loss": "mae",
        "learning_rate": 3e-3,
    },
    "M4 recipe, attention_size 32": {
        "attention": "luong_general",
        "loss": "mae",
        "learning_rate": 3e-3,
        "attention_size": 32,
    },
    "bahdanau, direct": {"attention": "bahdanau"},
    "luong_general, recursive, teacher forcing 1.0": {
        "attention": "luong_general",
        "decoder": "recursive",
    },
    "M4 recipe, recursive (teacher forcing 0)": {
        "attention": "luong_general",
        "loss": "mae",
        "learning_rate": 3e-3,
        "teacher_forcing_ratio": 0.0,
        "decoder": "recursive",
    },
    "bahdanau, recursive, teacher forcing 1.0": {
        "attention": "bahdanau",
        "decoder": "recursive",
    },
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--length", type=int, default=900)
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--horizon", type=int, default=48)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--windows-per-epoch", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--skip-neuralforecast", action="store_true")
    parser.add_argument("--clock", choices=sorted(CLOCK), default="wall")
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    torch.set_num_threads(args.threads)
    # series i: 10 + i + sin(2 pi t / 24) + 0.1 e[t], integer time index
    y = make_panel(
        args.series,
        args.length,
        level_step=1.0,
        amplitude=1.0,
        period=24,
        noise=0.1,
        start=None,
    )
    print(
        f"T={args.window} H={args.horizon} D={args.hidden} batch={args.batch} "
        f"threads={args.threads}, {args.windows_per_epoch} windows per epoch, "
        f"timed as {2 * args.epochs} minus {args.epochs} epochs, "
        f"{args.clock} clock"
    )
    print("| model | windows/s | slower than plain LSTM by |")
    print("|---|---|---|")
    plain = by_difference(lambda e: plain_seconds(y, args, e), args)
    print(f"| plain `torch.nn.LSTM` + linear head | {plain:.0f} | 1.00x |", flush=True)
    for name in args.models:
        kwargs = MODELS[name]
        rate = by_difference(
            lambda e, kw=kwargs: attention_seconds(y, args, e, **kw), args
        )
        print(f"| {name} | {rate:.0f} | {plain / rate:.2f}x |", flush=True)
    try:
        import neuralforecast  # noqa: F401
    except ImportError:
        print("| neuralforecast `LSTM` | skipped: neuralforecast not installed | |")
        return
    if args.skip_neuralforecast:
        return
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    rate = by_difference(lambda e: neuralforecast_seconds(y, args, e), args)
    print(f"| neuralforecast `LSTM` (Lightning) | {rate:.0f} | {plain / rate:.2f}x |")


if __name__ == "__main__":
    main()
