"""Members of HybridForecaster as sktime steps: parameters, tags, clones, access."""

__all__ = ["_MemberAccess"]

from sktime.split.base import BaseSplitter

from sktime_attention.forecasting._members import (
    check_members,
    default_forecasters,
    member_pairs,
    seeded_clones,
    share_config,
)
from sktime_attention.forecasting._weights import LEARNED, WEIGHTINGS, fixed_weights
from sktime_attention.utils._validation import check_bool, check_int, check_option


class _MemberAccess:
    """Mixin of HybridForecaster: its members as sktime meta-estimator steps.

    Put it before sktime's ``_HeterogenousMetaEstimator`` in the bases; the
    class sets ``_steps_attr = "_forecasters"``.
    """

    @property
    def _forecasters(self):
        """Members as (name, estimator) pairs; none for None (no nested params)."""
        return [] if self.forecasters is None else [(n, e) for n, e in self.forecasters]

    @_forecasters.setter
    def _forecasters(self, value):
        self.forecasters = value

    def set_params(self, **params):
        """Set parameters; ``<member>__<param>`` keys tune members.

        With ``forecasters=None`` the default members exist only from ``fit`` on,
        so they have no parameters here; tune them through an explicit list:
        ``HybridForecaster(default_forecasters()).set_params(attention__max_epochs=2)``.

        Parameters
        ----------
        **params : dict
            Parameter names (``<member>__<parameter>`` for members) and values.

        Returns
        -------
        self
        """
        if params.get("forecasters", self.forecasters) is None:
            defaults = [name for name, _ in default_forecasters()]
            keys = [key for key in params if key.split("__")[0] in defaults]
            if keys:
                raise ValueError(
                    f"`forecasters` is None, so {keys} name no member: the default "
                    "members are built in fit. To tune them, pass them explicitly: "
                    "HybridForecaster(default_forecasters(), ...).set_params("
                    f"{', '.join(f'{key}=...' for key in keys)})"
                )
        return super().set_params(**params)

    def __post_init__(self):
        """Reject malformed ``forecasters`` at construction."""
        if self.forecasters is not None:
            check_members(self.forecasters, self.get_params(False))

    def __dynamic_tags__(self):
        # runs before __post_init__: malformed members are skipped, it raises
        given = self.forecasters
        members = default_forecasters() if given is None else member_pairs(given)
        learned = isinstance(self.weights, str) and self.weights in LEARNED
        pred_int = all(est.get_tag("capability:pred_int", False) for _, est in members)
        self.set_tags(**{"capability:pred_int": pred_int or learned})
        self._anytagis_then_set("requires-fh-in-fit", True, False, members)
        self._anytagis_then_set("capability:non_contiguous_X", False, True, members)

    def _sk_visual_block_(self):
        if self.forecasters is None:  # draw the members that fit builds
            return type(self)(default_forecasters())._sk_visual_block_()
        return super()._sk_visual_block_()

    def get_member(self, name, series=None):
        """Return the fitted member called ``name`` (from ``forecasters_``).

        Parameters
        ----------
        name : str
            Member name, e.g. ``"attention"``.
        series : key or None, default=None
            On a panel, a series key: a per-series member returns the forecaster
            fitted on that series; a global member (one for all series) returns
            itself (its ``attention_weights_.loc[key]`` is that series').

        Returns
        -------
        sktime forecaster
            The member fitted on all data seen in ``fit``.
        """
        self.check_is_fitted()
        members = dict(self.forecasters_)
        if name not in members:
            raise ValueError(f"`name` must be one of {list(members)}, got {name!r}")
        member = members[name]
        fitted = getattr(member, "forecasters_", None)
        if series is None or not getattr(member, "_is_vectorized", False):
            return member
        if series not in fitted.index:
            raise ValueError(
                f"`series` must be a key of the fitted panel, got {series!r}; "
                f"keys: {list(fitted.index)[:5]}..."
            )
        return fitted.loc[series].iloc[0]

    def _check_params(self, names):
        """Validate parameters; return the normalised fixed weights or None."""
        check_option(self.metric, "metric", ("mse", "mae"))
        check_option(self.weighting, "weighting", WEIGHTINGS)
        check_int(self.random_state, "random_state", minimum=0, allow_none=True)
        check_int(self.sp, "sp", minimum=1, allow_none=True)
        for flag in ("refit_global", "verbose"):
            check_bool(getattr(self, flag), flag)
        if self.cv is not None and not isinstance(self.cv, BaseSplitter):
            raise TypeError(f"`cv` must be an sktime splitter or None, got {self.cv!r}")
        return fixed_weights(self.weights, names, self.weighting)

    def _members_for(self, layout, steps):
        """Unfitted members: the given ones, or defaults that follow the data."""
        if self.forecasters is not None:
            return check_members(self.forecasters, self.get_params(False))
        room = int(layout.lengths.min()) - 3 * int(steps.max()) - 1
        window = max(1, min(max(12, 2 * self.sp_), room))
        return default_forecasters(self.sp_, window)

    def _clones(self):
        """Seeded clones of the members, which get the parallel config (nested too)."""
        config = self.get_config()
        backend = {
            k: config.get(k) for k in ("backend:parallel", "backend:parallel:params")
        }
        clones = seeded_clones(self._members, self.random_state)
        for _, est in clones:
            share_config(est, backend)
        return clones
