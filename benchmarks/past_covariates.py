"""Do past-only covariates help when the target follows them with a delay?

Task: ``y[t] = x[t - lag] + noise * e[t]`` with ``x`` iid N(0, 1)
(``make_planted_driver``, one input). ``x`` is declared past-only
(``past_covariates=["x"]``): the model never sees it after the cutoff, yet for
forecast steps ``h <= lag`` the value that drives ``y`` is already in the window.
A model without covariates can only forecast the mean (MAE about 0.8 for N(0, 1)).

Each seed fits both models on the first ``n - holdout`` points, then rolls the
cutoff over the holdout with ``update(update_params=False)`` (``x`` extends the
past covariates at each step) and scores the mean absolute error of the forecasts
of steps ``1 .. lag`` made from every cutoff. Reports both MAEs and their ratio
per seed, with the spread.

    python benchmarks/past_covariates.py --seeds 5
"""

import argparse
import time

import numpy as np
import torch

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster
from sktime_attention.synthetic import make_planted_driver

CLASSES = {"lstm": AttentionLSTMForecaster, "dual": DualStageAttentionForecaster}


def rolling_mae(forecaster, y, X, n_train, lag):
    """Fit on ``n_train`` points; MAE of steps 1..lag from every later cutoff."""
    fh = list(range(1, lag + 1))
    forecaster.fit(y.iloc[:n_train], X=None if X is None else X.iloc[:n_train], fh=fh)
    errors = []
    for end in range(n_train, len(y) - lag + 1):
        truth = y.iloc[end : end + lag].to_numpy()
        errors.append(np.abs(forecaster.predict().to_numpy() - truth))
        if end < len(y) - lag:
            new = slice(end, end + 1)
            forecaster.update(
                y.iloc[new], X=None if X is None else X.iloc[new], update_params=False
            )
    return float(np.mean(errors))


def trial(seed, model, n, holdout, lag, epochs, noise):
    """MAE with ``x`` as past covariate and without covariates, for one seed."""
    y, X = make_planted_driver(n, inputs=["x"], seed=seed, lag=lag, noise=noise)
    settings = dict(
        window_length=2 * lag,
        hidden_size=8,
        max_epochs=epochs,
        batch_size=32,
        learning_rate=1e-2,
        scaling="standard",
        random_state=seed,
        num_threads=1,
    )
    cls = CLASSES[model]
    with_x = rolling_mae(cls(past_covariates=["x"], **settings), y, X, n - holdout, lag)
    without = rolling_mae(cls(**settings), y, None, n - holdout, lag)
    return with_x, without


def main():
    """Run the trials and print one line per seed and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--model", choices=sorted(CLASSES), default="lstm")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--holdout", type=int, default=40)
    parser.add_argument("--lag", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--noise", type=float, default=0.1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    ratios = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        with_x, without = trial(
            seed, args.model, args.n, args.holdout, args.lag, args.epochs, args.noise
        )
        ratios.append(with_x / without)
        print(
            f"seed {seed}: MAE with past x {with_x:.3f}, without X {without:.3f}, "
            f"ratio {ratios[-1]:.3f} ({time.perf_counter() - start:.1f} s)"
        )
    ratios = np.array(ratios)
    print(
        f"ratio mean {ratios.mean():.3f}, min {ratios.min():.3f}, "
        f"max {ratios.max():.3f} over {len(ratios)} seeds"
    )


if __name__ == "__main__":
    main()
