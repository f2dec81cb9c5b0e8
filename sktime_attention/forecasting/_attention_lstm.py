"""LSTM encoder-decoder forecaster whose decoder attends over the encoder's steps."""

__all__ = ["AttentionLSTMForecaster"]

from sktime_attention.forecasting._base import _Seq2SeqForecaster


class AttentionLSTMForecaster(_Seq2SeqForecaster):
    """LSTM encoder-decoder forecaster with temporal attention.

    An LSTM encodes the last ``window_length`` steps (targets and past covariates)
    into memory slots, each tied to its own time step; at each forecast step the
    decoder attends over all slots. The attention weights say which past periods
    drove each forecast step; they are exposed as ``attention_weights_`` and
    through :meth:`predict_attention`. The default ``decoder="direct"`` forms the
    query of step h from a learned step embedding and the known future covariates
    of step h, and decodes all steps in one pass, in training as in prediction: no
    forecast is fed back, and the window reaches the forecast only through the
    attention context (and the values at ``seasonal_lags``, if any), so the
    weights say where the forecast came from.
    ``decoder="recursive"`` is the classic seq2seq decoder, fed its own forecasts.

    Parameters
    ----------
    window_length : int, default=24
        Encoder steps T: how far back the model looks.
    attention : str, default="luong_dot"
        Score function: ``"luong_dot"`` (dot product of query and memory slot),
        ``"scaled_dot"`` (the same over sqrt(hidden_size)), ``"luong_general"``
        (bilinear), ``"bahdanau"`` or ``"luong_concat"`` (additive). The two
        additive scores differ only in when the recursive decoder queries them
        (Bahdanau before the step, Luong after); with the direct decoder they
        are the same model. The default was chosen by how exactly the weights
        find a planted lag and by accuracy on validation splits (see
        ``benchmarks/README.md``).
    decoder : {"direct", "recursive"}, default="direct"
        ``"direct"``: each step's query is a learned step embedding plus the
        step's known covariates; all steps decode in one pass, as in training,
        and the past reaches the forecast only through attention (and
        ``seasonal_lags``, if set). Horizons past
        ``horizon_`` roll the window forward over the forecasts. ``"recursive"``:
        an LSTM decoder started from the encoder's state and fed its previous
        forecast (or the truth, see ``teacher_forcing_ratio``).
    hidden_size : int, default=32
        LSTM hidden size D of encoder and decoder.
    attention_size : int or None, default=None
        Direct decoder only: size d of its attention (memory slots, queries,
        contexts), between 1 and ``hidden_size``. None: ``max(16,
        hidden_size // 4)``, at most ``hidden_size``
        (:func:`~sktime_attention.networks.attention_size`). Smaller is faster
        to train; on M4 Hourly a 64-unit network scored validation OWA 0.520 at
        full width (``attention_size=64``) against 0.594 with the default 16
        (see ``benchmarks/README.md``).
    num_layers : int, default=1
        Stacked LSTM layers in encoder and decoder.
    dropout : float, default=0.0
        Dropout between LSTM layers and on the decoder's attentional state.
    teacher_forcing_ratio : float, default=1.0
        Recursive decoder only: probability, per decoder step in training, of
        feeding the true previous value (1.0) rather than the model's own
        forecast (0.0). Prediction is always recursive. At 1.0 the Luong decoders
        train all steps in one call.
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
        Columns of ``X`` known only up to the cutoff (past covariates, such as
        observed sales or weather): they join the encoder input but never the
        decoder, so ``predict`` needs no values of them after the cutoff; passed
        over ``fh``, they are ignored. ``"all"``: every column of ``X``, and
        ``predict`` needs no ``X``. None: every column is known over the horizon.
        ``update`` needs all columns over its new points. With the direct
        decoder, ``fh`` cannot then reach past ``horizon_``.
    seasonal_lags : list of int or None, default=None
        Lags of the target known over the horizon from the window itself, each
        between 1 and ``window_length``: decoder step h also reads the value
        ``L * ceil(h / L)`` steps before its own time, the latest one in the
        window at the same phase of a period L. With L the seasonal period this
        is the seasonal naive forecast; several lags, e.g. ``[24, 168]`` for
        hourly data, give the day and the week. The direct decoder then gets the
        season from its query as well as from attention, so the attention
        weights say what else the forecast read. No ``X`` is needed. On
        validation splits ``[12]`` lowered every airline attention model's MAPE, and
        ``[24, 168]`` beat a known ``y[t-48]`` covariate on M4 Hourly (see the
        user guide). None: none.
    seasonal_residual : bool, default=False
        The network forecasts the residual of the seasonal naive forecast at the
        first of ``seasonal_lags``: that forecast is added to its output, as a
        model of the seasonally differenced series would. The season then
        needs no learning and the attention explains what departs from it.
        Needs ``seasonal_lags`` and ``decoder="direct"``.
    scaling : {"standard", "window", "none"}, default="window"
        ``"standard"`` z-scores each column of each series, relative to its
        magnitude (values from 1e-300 to 1e300 forecast alike; a constant column
        is centred and divided by its magnitude); ``"window"`` also expresses
        targets relative to the last value of each window, which helps trending
        series and many series of different levels; ``"none"`` uses raw values,
        which must fit in float32 (a ValueError otherwise) and train well only
        near unit scale.
    windows_per_epoch : int or None, default=2048
        Sample at most this many training windows per epoch, afresh each epoch
        (None: all). A short series trains on all of its windows; a large panel
        on ``max_epochs`` x 2048, which bounds the defaults' fit time. The
        validation loss reads at most this many held-out windows, evenly spaced.
    fine_tune_epochs : int, default=0
        After ``pretrain`` on a panel, epochs of training on the series passed to
        ``fit`` (0: ``fit`` only sets the context the pretrained network reads).
    refit_on_update : bool, default=False
        If True, ``update(update_params=True)`` retrains on all data seen;
        otherwise ``update`` only moves the cutoff and the context window. See
        Notes for how ``update`` reads its data.
    n_networks : int, default=1
        Networks trained, each with its own seed drawn from ``random_state``;
        above 1 their forecasts and their attention weights are averaged (the
        ensembles of N-BEATS and ES-RNN in M4). Averaged attention says where the
        networks looked on average. Training time grows with the number, unless
        they train at once, in the workers of the ``backend:parallel`` config
        (the same networks as one after another).
    interval_calibration : {"holdout", "insample"}, default="holdout"
        Where the errors behind ``predict_interval`` and ``predict_quantiles``
        come from (see Notes). ``"holdout"``: ``fit`` also trains networks as
        above on each series less its last ``max(horizon_, 20%)`` points and
        scores their forecasts of those points (1.8x to 1.9x the fit time of
        ``"insample"`` measured on a series and a panel);
        ``"insample"``: the fitted network's forecasts of the points it trained
        on (no extra training; intervals too narrow where it overfits).
    device : {"auto", "cpu", "cuda"}, default="auto"
        Training device; "auto" takes CUDA when available. The fitted network is
        kept on the CPU, where prediction runs, so models move between machines.
    num_threads : int or None, default=None
        Torch CPU threads while fitting and predicting; None leaves torch's global
        setting unchanged. Set 1 inside parallel workers to avoid oversubscription.
    random_state : int, np.random.RandomState or None, default=None
        Seeds weight initialisation, dropout, batch order (and, with the
        recursive decoder, teacher forcing);
        with an int two fits give identical forecasts.
    verbose : bool, default=False
        Show a tqdm progress bar over epochs (losses, rate, time left) on stderr.

    Attributes
    ----------
    network_ : AttentionSeq2Seq or AveragedNetworks
        The trained torch module (on the CPU, eval mode); with ``n_networks``
        above 1, the :class:`~sktime_attention.networks.AveragedNetworks` of
        them.
    attention_weights_ : pd.DataFrame or None
        Attention of the forecast from the cutoff, recomputed when ``update``
        moves the cutoff. Index ``step`` 1..horizon, columns ``lag``
        ``-window_length + 1 .. 0`` (0 = the cutoff); rows sum to 1. For a panel
        the index gains the series keys. None when the decoder reads ``X`` (it
        needs future ``X``: call ``predict_attention(fh, X)``), that is when
        ``X`` has columns not in ``past_covariates``.
    training_history_ : pd.DataFrame
        Per epoch ``train_loss`` and, with validation, ``val_loss``; with
        ``n_networks`` above 1 the index is (``network``, ``epoch``).
    horizon_ : int
        Decoder steps in training: ``horizon``, else the largest step of the
        ``fh`` passed to ``fit``, else ``window_length``; after ``pretrain``, that
        of the pretrained network.
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs`` after early stopping); the most of
        any network when there are several.
    pretrain_config_ : dict
        Only after ``pretrain``: the data layout the global network expects
        (``n_targets``, ``n_covariates``, column names, ``past_covariates``,
        ``horizon``) and ``seen_until``, the last time point trained on per series
        key.

    See Also
    --------
    sktime_attention.plotting.plot_attention : Heatmap of ``attention_weights_``.

    Notes
    -----
    How ``update`` reads its data: columns of ``y`` and ``X`` are matched by
    name with those seen in ``fit`` (their order does not matter; missing,
    extra or renamed columns raise, and a univariate ``y`` may come under any
    name). Points later than the stored end are appended and must continue its
    time steps (irregular indexes and gaps raise, in ``fit`` too). Points at or
    before the stored end revise the stored values at those time points: the
    context window the network reads, ``get_history`` and, with
    ``refit_on_update``, retraining then use the revised data. The scaler fitted
    in ``fit`` is kept. A rejected update changes nothing, the cutoff included.

    In-sample predictions: ``fh`` steps <= 0 (alone or mixed with later steps)
    return fitted values. The fitted value at time point t is the one-step
    forecast from origin t - 1 made by the fitted network from the
    ``window_length`` points before t (the points seen in ``fit`` and
    ``update``, revisions included), as ``predict(fh=1)`` would give with the
    data cut after t - 1. Points with fewer than ``window_length`` points before
    them get NaN (also in intervals).

    Intervals (``predict_interval``, ``predict_quantiles``, ``predict_var``) are
    split-conformal on the absolute errors, per step 1..``horizon_``, of
    forecasts of points the scoring network did not train on (see
    ``interval_calibration``; after ``pretrain``, the points after its data),
    divided by each series' scale and pooled over a panel's series. Half-width
    at coverage c: the ``ceil((n + 1) c)``-th smallest of a step's n errors,
    non-decreasing over the steps, times the series' scale; beyond ``horizon_``
    it grows as ``(h / horizon_)^b``, b the log-log slope of the RMS error over
    the steps. In-sample points get step 1's widths. ``update`` keeps the
    errors of ``fit``. Details and measured coverage: the user guide.

    References
    ----------
    .. [1] Bahdanau, Cho, Bengio (2015). Neural machine translation by jointly
       learning to align and translate. ICLR.
    .. [2] Luong, Pham, Manning (2015). Effective approaches to attention-based
       neural machine translation. EMNLP.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktime_attention import AttentionLSTMForecaster
    >>> y = load_airline()
    >>> forecaster = AttentionLSTMForecaster(
    ...     window_length=12, hidden_size=8, max_epochs=2, random_state=0
    ... )
    >>> forecaster.fit(y, fh=[1, 2, 3])
    AttentionLSTMForecaster(...)
    >>> y_pred = forecaster.predict()
    >>> forecaster.attention_weights_.shape
    (3, 12)
    """

    _tags = {
        # packaging
        "authors": ["sktime_attention developers"],
        "maintainers": ["sktime_attention developers"],
        "python_dependencies": "torch",
        # capabilities
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": True,
        "capability:pred_int": True,
        "capability:pred_int:insample": True,
        "capability:update": True,
        "capability:random_state": True,
        "capability:pretrain": True,
        # what pretrain learns and fit keeps (fit on a series only sets its context)
        "pretrain:fitted_params": [
            "network_",
            "training_history_",
            "n_epochs_",
            "pretrain_config_",
        ],
        "property:randomness": "derandomized",
        # data
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        # the decoder needs X at every step up to the last one in fh
        "capability:non_contiguous_X": False,
    }

    def __init__(
        self,
        window_length=24,
        attention="luong_dot",
        decoder="direct",
        hidden_size=32,
        attention_size=None,
        num_layers=1,
        dropout=0.0,
        teacher_forcing_ratio=1.0,
        loss="mse",
        max_epochs=100,
        batch_size=64,
        learning_rate=1e-3,
        validation_fraction=0.0,
        patience=10,
        lr_reduce_patience=None,
        horizon=None,
        past_covariates=None,
        seasonal_lags=None,
        seasonal_residual=False,
        scaling="window",
        windows_per_epoch=2048,
        fine_tune_epochs=0,
        refit_on_update=False,
        n_networks=1,
        interval_calibration="holdout",
        device="auto",
        num_threads=None,
        random_state=None,
        verbose=False,
    ):
        self.window_length = window_length
        self.attention = attention
        self.decoder = decoder
        self.hidden_size = hidden_size
        self.attention_size = attention_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.teacher_forcing_ratio = teacher_forcing_ratio
        self.loss = loss
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.lr_reduce_patience = lr_reduce_patience
        self.horizon = horizon
        self.past_covariates = past_covariates
        self.seasonal_lags = seasonal_lags
        self.seasonal_residual = seasonal_residual
        self.scaling = scaling
        self.windows_per_epoch = windows_per_epoch
        self.fine_tune_epochs = fine_tune_epochs
        self.refit_on_update = refit_on_update
        self.n_networks = n_networks
        self.interval_calibration = interval_calibration
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose
        super().__init__()

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
                "attention_size": 2,
                "max_epochs": 2,
                "batch_size": 8,
                "validation_fraction": 0.2,
                "lr_reduce_patience": 1,
                "n_networks": 2,
                "random_state": 0,
            },
            {
                "window_length": 4,
                "attention": "luong_general",
                "hidden_size": 4,
                "max_epochs": 1,
                "decoder": "recursive",
                "teacher_forcing_ratio": 0.5,
                "scaling": "window",
                "horizon": 2,
                # every X column past-only: predict ignores X (sktime's test X
                # has columns 0 and 1, and many checks fit without X)
                "past_covariates": "all",
                "seasonal_lags": [2],
                "interval_calibration": "insample",
                "validation_fraction": 0.0,
                "random_state": 1,
            },
            {
                # the direct decoder forecasting the seasonal naive's residual
                "window_length": 4,
                "hidden_size": 4,
                "max_epochs": 1,
                "seasonal_lags": [2],
                "seasonal_residual": True,
                "interval_calibration": "insample",
                "random_state": 2,
            },
        ]
