"""How much the rows of ``attention_weights_`` differ between forecast steps.

Fits the quickstart's model (airline, last 12 months held out, window 24, seed 0)
with the default direct decoder and three score functions, and, for comparison,
with the recursive decoder and the additive ``"bahdanau"`` score (the defaults
before the direct decoder), each for two training lengths; prints, per fit, the
largest difference between two forecast steps' weights at one lag (0: all rows
identical), the largest weight of step 1 and of step 12 (uniform: 1/24 = 0.042),
and the lag each step attends to most. The
numbers quoted in ``docs/quickstart.md`` come from here. Run from the
repository root::

    OMP_NUM_THREADS=1 python docs/quickstart_attention_rows.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main():
    """Print the spread of the attention rows for each setting."""
    from sktime.datasets import load_airline

    from sktime_attention import AttentionLSTMForecaster

    y_train = load_airline().iloc[:-12]
    settings = [
        ("luong_dot", "direct"),  # the defaults
        ("luong_general", "direct"),
        ("bahdanau", "direct"),
        ("bahdanau", "recursive"),  # the defaults before the direct decoder
    ]
    print(
        "attention      decoder    epochs  row spread  max w. step 1  "
        "max w. step 12  peak lags"
    )
    for attention, decoder in settings:
        for epochs in (20, 100):
            forecaster = AttentionLSTMForecaster(
                window_length=24,
                attention=attention,
                decoder=decoder,
                max_epochs=epochs,
                random_state=0,
            ).fit(y_train, fh=range(1, 13))
            weights = forecaster.attention_weights_
            spread = (weights.max() - weights.min()).max()
            peaks = list(weights.idxmax(axis=1))
            first, last = weights.loc[1].max(), weights.loc[12].max()
            print(
                f"{attention:14s} {decoder:10s} {epochs:6d} {spread:11.4f} "
                f"{first:14.3f} {last:15.3f}  {peaks}"
            )


if __name__ == "__main__":
    main()
