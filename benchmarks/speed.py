"""Training throughput: attention models versus a plain LSTM + linear head.

The floor for this architecture is one `torch.nn.LSTM` pass over the window and a
linear head emitting all H steps at once; the attention decoder adds H recursive
steps. Both train on the same windows (gathered the same way), batch size, hidden
size and threads. Reports windows per second per epoch and the ratio.

    python benchmarks/speed.py --window 168 --horizon 48 --hidden 64 --batch 256
"""

import argparse
import time

import numpy as np
import torch
from torch import nn

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.synthetic import make_panel


class PlainLSTM(nn.Module):
    def __init__(self, hidden, horizon):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, past):
        out, _ = self.lstm(past)
        return self.head(out[:, -1])


def plain_throughput(y, window, horizon, hidden, batch, epochs, windows_per_epoch):
    values = [g["y"].to_numpy(np.float32) for _, g in y.groupby(level=0)]
    data = torch.from_numpy(np.concatenate(values))
    offsets = np.cumsum([0] + [len(v) for v in values[:-1]])
    starts = np.concatenate(
        [o + np.arange(len(v) - window - horizon + 1) for o, v in zip(offsets, values)]
    )
    steps = torch.arange(window + horizon)
    net = PlainLSTM(hidden, horizon)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    n = 0
    for _ in range(epochs):
        chosen = rng.permutation(starts)[:windows_per_epoch]
        for i in range(0, len(chosen), batch):
            w = data[torch.from_numpy(chosen[i : i + batch])[:, None] + steps]
            pred = net(w[:, :window, None])
            loss = nn.functional.mse_loss(pred, w[:, window:])
            opt.zero_grad()
            loss.backward()
            opt.step()
            n += len(w)
    return n / (time.perf_counter() - start)


def attention_throughput(y, window, horizon, hidden, batch, epochs, wpe, **kw):
    f = AttentionLSTMForecaster(
        window_length=window,
        horizon=horizon,
        hidden_size=hidden,
        batch_size=batch,
        max_epochs=epochs,
        windows_per_epoch=wpe,
        validation_fraction=0.0,
        random_state=0,
        **kw,
    )
    start = time.perf_counter()
    f.fit(y)
    return epochs * wpe / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--length", type=int, default=900)
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--horizon", type=int, default=48)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--windows-per-epoch", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
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
    shape = (args.window, args.horizon, args.hidden, args.batch, args.epochs)
    plain = plain_throughput(y, *shape, args.windows_per_epoch)
    print(
        f"T={args.window} H={args.horizon} D={args.hidden} batch={args.batch} "
        f"threads={args.threads}"
    )
    print("| model | windows/s | ratio to plain LSTM |")
    print("|---|---|---|")
    print(f"| plain LSTM + linear head | {plain:.0f} | 1.00 |")
    for name, kw in [
        (
            "attention luong_general, teacher forcing 1.0",
            {"attention": "luong_general"},
        ),
        ("attention bahdanau, teacher forcing 1.0", {"attention": "bahdanau"}),
        (
            "attention luong_general, teacher forcing 0.5",
            {"attention": "luong_general", "teacher_forcing_ratio": 0.5},
        ),
    ]:
        rate = attention_throughput(y, *shape, args.windows_per_epoch, **kw)
        print(f"| {name} | {rate:.0f} | {plain / rate:.2f}x slower |")


if __name__ == "__main__":
    main()
