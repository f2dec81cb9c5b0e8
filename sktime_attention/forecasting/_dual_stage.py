"""Dual-stage attention forecaster (DA-RNN): feature attention, then temporal attention.

A separate class rather than a flag on :class:`AttentionLSTMForecaster`: it has
fitted attributes the plain model lacks (``feature_attention_``,
``feature_importance_``), and sktime lists fitted parameters per class, so a flag
would leave attributes that exist or not depending on a parameter value.
"""

__all__ = ["DualStageAttentionForecaster"]

from sktime_attention.data import feature_table
from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster


class DualStageAttentionForecaster(AttentionLSTMForecaster):
    """Dual-stage attention RNN (DA-RNN): attention over input features and time.

    Stage one, the input-attention encoder of Qin et al. [1]_, weights the encoder
    features at every step of the window before they enter the LSTM cell: the query
    is the previous encoder state ``[h_{t-1}; s_{t-1}]``, the key of a feature is
    its whole series over the window, and a softmax over features gives weights
    that sum to 1 per step. Stage two is the attention decoder of
    :class:`AttentionLSTMForecaster` (direct by default, or recursive): at each
    forecast step it attends over the encoder steps. The encoder features are the
    target columns followed by the past values of the covariates ``X``, past-only
    columns (``past_covariates``) included; known future ``X`` feeds the decoder.

    Feature attention needs only the encoder, so ``feature_attention_`` exists even
    when the model uses ``X`` and ``attention_weights_`` (which needs future ``X``)
    is None. :meth:`get_attention` returns both kinds for every window of a series.

    Parameters
    ----------
    window_length : int, default=24
        Encoder steps T: how far back the model looks.
    attention : str, default="luong_dot"
        Temporal score function: ``"luong_dot"``, ``"scaled_dot"``,
        ``"luong_general"``, ``"bahdanau"`` (additive, as in DA-RNN) or
        ``"luong_concat"``; see :class:`AttentionLSTMForecaster`.
    decoder : {"direct", "recursive"}, default="direct"
        ``"direct"``: all steps decoded in one pass from learned step embeddings
        and the known covariates, the past reaching the forecast only through
        temporal attention; ``"recursive"``: an LSTM decoder fed its previous
        forecast. See :class:`AttentionLSTMForecaster`.
    hidden_size : int, default=32
        LSTM hidden size D of encoder and decoder.
    attention_size : int or None, default=None
        Direct decoder only: size d of its temporal attention, between 1 and
        ``hidden_size``; None: ``max(16, hidden_size // 4)``, at most
        ``hidden_size``. See :class:`AttentionLSTMForecaster`.
    num_layers : int, default=1
        Stacked LSTM layers; in the encoder, layers above the first are plain
        LSTM layers over the attended first layer.
    dropout : float, default=0.0
        Dropout between LSTM layers and on the decoder's attentional state.
    teacher_forcing_ratio : float, default=1.0
        Recursive decoder only: probability, per decoder step in training, of
        feeding the true previous value (1.0) rather than the model's own
        forecast (0.0).
    loss : {"mse", "mae", "huber"}, default="mse"
        Training loss on scaled values.
    max_epochs : int, default=100
        Upper bound on training epochs.
    batch_size : int, default=64
        Windows per gradient step.
    learning_rate : float, default=1e-3
        Adam learning rate.
    validation_fraction : float, default=0.0
        Share of each series' last windows held out for early stopping; 0 trains
        on all windows for ``max_epochs`` and keeps the last weights. Early
        stopping pays off with hundreds of windows or more; on a short series the
        holdout is a few overlapping windows that stop training too early (on
        log airline, 24-month holdout: MAPE 0.05-0.10 with 0, 0.15-0.22 with 0.1).
    patience : int, default=10
        Epochs without a better validation loss before training stops; the best
        weights are restored.
    lr_reduce_patience : int or None, default=None
        With validation windows: epochs without a better validation loss after
        which the learning rate is halved (torch's ``ReduceLROnPlateau``), so
        that training settles into a minimum before ``patience`` stops it;
        ``training_history_`` then has a ``learning_rate`` column. None: the
        learning rate stays constant. On the M4 Hourly validation split 3
        lowered the global network's OWA (``benchmarks/README.md``).
    horizon : int or None, default=None
        Decoder steps in training. None: the largest step of ``fh`` passed to
        ``fit``, else ``window_length``.
    past_covariates : list, "all" or None, default=None
        Columns of ``X`` known only up to the cutoff: they join the encoder input
        and its feature attention but never the decoder, so ``predict`` needs no
        values of them after the cutoff (passed over ``fh``, they are ignored).
        ``"all"``: every column of ``X``, and ``predict`` needs no ``X``. None:
        every column is known over the horizon. See
        :class:`AttentionLSTMForecaster`.
    seasonal_lags : list of int or None, default=None
        Lags of the target fed to each decoder step from the window (the
        seasonal naive value at each lag); see :class:`AttentionLSTMForecaster`.
    seasonal_residual : bool, default=False
        Forecast the residual of the seasonal naive forecast at the first of
        ``seasonal_lags``; see :class:`AttentionLSTMForecaster`.
    scaling : {"standard", "window", "none"}, default="window"
        ``"standard"`` z-scores each column of each series, relative to its
        magnitude (values from 1e-300 to 1e300 forecast alike; a constant column
        is centred and divided by its magnitude); ``"window"`` also expresses
        targets relative to the last value of each window; ``"none"`` uses raw
        values, which must fit in float32 (a ValueError otherwise). Feature
        attention compares features after this scaling.
    windows_per_epoch : int or None, default=2048
        Sample at most this many training windows per epoch, afresh each epoch
        (None: all). A short series has fewer windows and trains on all of them;
        a large panel then trains ``max_epochs`` x 2048 windows, which keeps the
        defaults' fit time bounded (about 200,000 windows, see
        ``benchmarks/defaults.py``). The validation loss reads at most this many
        held-out windows, evenly spaced.
    fine_tune_epochs : int, default=0
        After ``pretrain`` on a panel, epochs of training on the series passed to
        ``fit`` (0: ``fit`` only sets the context the pretrained network reads).
    refit_on_update : bool, default=False
        If True, ``update(update_params=True)`` retrains on all data seen;
        otherwise ``update`` only moves the cutoff, the context window and the
        attention tables. See Notes for how ``update`` reads its data.
    n_networks : int, default=1
        Networks trained with different seeds; above 1 their forecasts, temporal
        and feature attention are averaged (averaged weights say where the
        networks looked on average). Under the ``backend:parallel`` config they
        train at once, in its workers (the same networks as one after another).
    interval_calibration : {"holdout", "insample"}, default="holdout"
        Where the errors behind the intervals come from; see
        :class:`AttentionLSTMForecaster` and the Notes there.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Training device; "auto" takes CUDA when available. The fitted network is
        kept on the CPU, where prediction runs.
    num_threads : int or None, default=None
        Torch CPU threads while fitting and predicting; None leaves torch's global
        setting unchanged.
    random_state : int, np.random.RandomState or None, default=None
        Seeds weight initialisation, dropout, batch order (and, with the
        recursive decoder, teacher forcing);
        with an int two fits give identical forecasts and attention.
    verbose : bool, default=False
        Show a tqdm progress bar over epochs (losses, rate, time left) on stderr.

    Attributes
    ----------
    network_ : AttentionSeq2Seq or AveragedNetworks
        The trained torch module (``input_attention=True``; CPU, eval mode), or
        the average of ``n_networks`` of them.
    feature_attention_ : pd.DataFrame
        Input (feature) attention of the window ending at the cutoff, recomputed
        when ``update`` moves the cutoff. Index ``lag`` ``-window_length + 1 .. 0``
        (0 = the cutoff), columns ``feature``: the target columns, then the
        columns of ``X``. Each row (encoder step) sums to 1. For a panel the index
        gains the series keys as outer levels.
    feature_importance_ : pd.Series or pd.DataFrame
        ``feature_attention_`` averaged over the encoder steps: one weight per
        feature, summing to 1. For a panel, a DataFrame with one row per series.
    attention_weights_ : pd.DataFrame or None
        Temporal attention of the forecast from the cutoff: index ``step``
        1..horizon, columns ``lag``; rows sum to 1. None when the decoder reads
        ``X`` (``X`` has columns not in ``past_covariates``; it needs future
        ``X``: call ``predict_attention(fh, X)``).
    training_history_ : pd.DataFrame
        Per epoch ``train_loss`` and, with validation, ``val_loss``; indexed by
        (``network``, ``epoch``) with ``n_networks`` above 1.
    horizon_ : int
        Decoder steps in training: ``horizon``, else the largest step of the
        ``fh`` passed to ``fit``, else ``window_length``; after ``pretrain``, that
        of the pretrained network.
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs`` after early stopping).
    pretrain_config_ : dict
        Only after ``pretrain``: the data layout the global network expects
        (``n_targets``, ``n_covariates``, column names, ``past_covariates``,
        ``horizon``) and ``seen_until``, the last time point trained on per series
        key.

    See Also
    --------
    AttentionLSTMForecaster : The same decoder over a plain LSTM encoder.
    sktime_attention.plotting.plot_feature_attention : Bars or heatmap of
        ``feature_attention_``.

    Notes
    -----
    ``update`` reads its data as in :class:`AttentionLSTMForecaster` (its
    Notes): columns by name, later points appended, earlier ones revised.
    In-sample predictions (the one-step forecast of each point from the
    ``window_length`` points before it; NaN with fewer) and the split-conformal
    intervals also follow its Notes.

    Attention weights show where the network looked, not what caused the
    forecast; see the user guide for how to read them.

    References
    ----------
    .. [1] Qin, Song, Chen, Cheng, Jiang, Cottrell (2017). A dual-stage
       attention-based recurrent neural network for time series prediction.
       IJCAI.

    Examples
    --------
    >>> from sktime.datasets import load_longley
    >>> from sktime_attention import DualStageAttentionForecaster
    >>> _, X = load_longley()
    >>> y, X = X["GNP"], X[["ARMED", "POP"]]
    >>> forecaster = DualStageAttentionForecaster(
    ...     window_length=4, hidden_size=8, max_epochs=2, random_state=0
    ... )
    >>> forecaster.fit(y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2])
    DualStageAttentionForecaster(...)
    >>> y_pred = forecaster.predict(X=X.iloc[-2:])
    >>> forecaster.feature_attention_.shape
    (4, 3)
    >>> list(forecaster.feature_importance_.index)
    ['GNP', 'ARMED', 'POP']
    """

    # parameters, tags and training are those of AttentionLSTMForecaster
    _input_attention = True

    def _set_cutoff_attention(self):
        """Store temporal and feature attention of the window ending at the cutoff."""
        feature = super()._set_cutoff_attention()
        store = self._store
        self.feature_attention_ = feature_table(
            feature, store.feature_names, store.keys, store.key_names
        )
        if not store.is_panel:
            self.feature_importance_ = self.feature_attention_.mean(axis=0)
        else:
            levels = list(range(self.feature_attention_.index.nlevels - 1))
            self.feature_importance_ = self.feature_attention_.groupby(
                level=levels, sort=False
            ).mean()
        return feature

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return cheap parameter settings for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set; all sets are cheap (tiny windows, 1-2 epochs).

        Returns
        -------
        list of dict
            Arguments for ``__init__``.
        """
        return [
            {
                "window_length": 3,
                "hidden_size": 4,
                "max_epochs": 2,
                "batch_size": 8,
                "random_state": 0,
            },
            {
                "window_length": 4,
                "attention": "luong_general",
                "hidden_size": 4,
                "num_layers": 2,
                "max_epochs": 1,
                "decoder": "recursive",
                "teacher_forcing_ratio": 0.5,
                "scaling": "standard",
                "horizon": 2,
                # every X column past-only: predict ignores X (sktime's test X
                # has columns 0 and 1, and many checks fit without X)
                "past_covariates": "all",
                "interval_calibration": "insample",
                "validation_fraction": 0.0,
                "random_state": 1,
            },
        ]
