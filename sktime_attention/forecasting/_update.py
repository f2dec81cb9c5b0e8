"""One rule for every forecaster: a rejected ``update`` changes nothing."""

__all__ = ["_KeepStateOnFailedUpdate"]


class _KeepStateOnFailedUpdate:
    """Mixin: if ``_update`` rejects the data, the cutoff stays where it was.

    sktime's ``update`` moves the cutoff to the end of the new data before it calls
    ``_update``; an ``_update`` that raises (wrong columns, a gap, NaN) would leave
    the forecaster at a cutoff its stored data does not reach, and the next
    ``predict`` would forecast the wrong dates. The estimators check the data in
    ``_update`` before changing anything, so putting the cutoff back restores the
    state. Put it before ``BaseForecaster`` in the bases.
    """

    def update(self, y, X=None, update_params=True):
        """Update the cutoff and the state with new data; see sktime's ``update``.

        If the data are rejected (an exception), the forecaster is left as it was,
        cutoff included, and the exception is raised.

        Parameters
        ----------
        y : sktime time series
            New (or revised) observations, with the columns seen in ``fit``.
        X : sktime time series or None, default=None
            Exogenous data over ``y``'s time points, if ``fit`` had ``X``.
        update_params : bool, default=True
            Whether model parameters may change (each estimator documents what
            it refits).

        Returns
        -------
        self
        """
        cutoff = getattr(self, "_cutoff", None)
        try:
            return super().update(y, X=X, update_params=update_params)
        except Exception:
            if cutoff is not None:
                self._set_cutoff(cutoff)
            raise
