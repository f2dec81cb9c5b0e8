"""Rules for every forecaster's ``update``: fit's names stay; a rejection undoes."""

__all__ = ["_SafeUpdate"]

import copy


class _SafeUpdate:
    """Mixin: ``update`` keeps fit's output names and undoes a rejected update.

    sktime's ``update`` moves the cutoff to the end of the new data and takes the
    names (and container type) of its ``y`` for later outputs before it calls
    ``_update``. The estimators match the columns of ``update`` to those of
    ``fit`` by name, so their forecasts are in fit's order: outputs keep fit's
    names, or a reordered or renamed update would relabel the columns of
    ``predict_interval`` (and rename a univariate forecast). An ``_update`` that
    raises (wrong columns, a gap, NaN) checks the data before changing anything,
    so putting the cutoff and names back leaves the forecaster as it was. Put the
    mixin before ``BaseForecaster`` in the bases. sktime keeps the names in
    ``_y_metadata`` and ``_converter_store_y`` (1.2; the package pins ``<1.3``).

    An update that only revises points already seen makes sktime move the cutoff
    back to the last revised point. A forecaster whose state holds every point
    seen (``_keeps_latest_cutoff``) then forecasts from its latest point, so its
    cutoff stays there.
    """

    _keeps_latest_cutoff = True

    def update(self, y, X=None, update_params=True):
        """Update the cutoff and the state with new data; see sktime's ``update``.

        Columns are matched by name to those seen in ``fit``, and forecasts keep
        fit's column names. Revising only points already seen leaves the cutoff
        at the latest point (not for the hybrid, whose cutoff follows its
        members'). If the data are rejected (an exception), the
        forecaster is left as it was, cutoff included, and the exception is
        raised.

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
        names = copy.deepcopy(
            (
                getattr(self, "_y_metadata", None),
                getattr(self, "_converter_store_y", None),
            )
        )
        try:
            super().update(y, X=X, update_params=update_params)
        except Exception:
            if cutoff is not None:
                self._set_cutoff(cutoff)
            raise
        else:
            revised_only = cutoff is not None and self._cutoff[0] < cutoff[0]
            if revised_only and self._keeps_latest_cutoff:
                self._set_cutoff(cutoff)
        finally:
            if names[0] is not None:
                self._y_metadata, self._converter_store_y = names
        return self
