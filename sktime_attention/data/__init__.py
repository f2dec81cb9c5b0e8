"""The bridge between pandas and arrays: the series store and the attention tables.

- :class:`SeriesStore`: one series or a panel as float arrays, keys, time index
  and scaling: what a fitted network reads;
- :func:`temporal_table`, :func:`feature_table`: the attention DataFrames users
  read, built from the network's arrays.
"""

from ._store import SeriesStore
from ._tables import feature_table, temporal_table

__all__ = ["SeriesStore", "feature_table", "temporal_table"]
