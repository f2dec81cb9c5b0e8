"""Several trained networks behind the interface of one, their outputs averaged.

Shape legend: B batch, T encoder steps, H forecast steps, N targets, F encoder
features, K networks.
"""

__all__ = ["AveragedNetworks"]

import torch
from torch import nn

from ._seq2seq import AttentionWeights


class AveragedNetworks(nn.Module):
    """K networks of the same layout, run together, outputs averaged.

    The forecast is the mean of the K forecasts; the temporal attention (B, H, T)
    and feature attention (B, T, F) are the means of the K networks' weights, so
    their rows still sum to 1. An averaged weight says where the networks looked
    on average, not where any one of them did.

    Parameters
    ----------
    networks : list of AttentionSeq2Seq
        Trained networks with the same targets, covariates, window and horizon.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import AttentionSeq2Seq, AveragedNetworks
    >>> nets = [AttentionSeq2Seq(1, 0, 6, hidden_size=4, horizon=2) for _ in range(3)]
    >>> averaged = AveragedNetworks(nets)
    >>> prediction, attention = averaged(torch.randn(5, 6, 1), horizon=2)
    >>> prediction.shape, attention.temporal.shape
    (torch.Size([5, 2, 1]), torch.Size([5, 2, 6]))
    """

    def __init__(self, networks):
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.n_targets = networks[0].n_targets
        #: steps one forward pass can decode (None: any number)
        self.max_horizon = networks[0].max_horizon

    def encode(self, past):
        """Return ``(None, None, feature)``: only feature attention averages.

        The networks' memories live in different spaces, so none is returned;
        ``feature`` is the mean (B, T, F) of their input attention, or None.

        Parameters
        ----------
        past : torch.Tensor
            (B, T, F) encoder window, as for ``AttentionSeq2Seq.encode``.

        Returns
        -------
        tuple
            ``(None, None, feature)``.
        """
        features = [network.encode(past)[2] for network in self.networks]
        if features[0] is None:
            return None, None, None
        return None, None, torch.stack(features).mean(0)  # (B, T, F)

    def forward(
        self, past, future=None, horizon=None, target=None, teacher_forcing_ratio=0.0
    ):
        """Average the K networks' ``(prediction, AttentionWeights)``.

        Parameters
        ----------
        past, future, horizon, target, teacher_forcing_ratio
            As for ``AttentionSeq2Seq.forward``, passed to every network.

        Returns
        -------
        tuple
            ``(prediction (B, H, N), AttentionWeights)``, each the mean over the
            K networks.
        """
        outputs = [
            network(past, future, horizon, target, teacher_forcing_ratio)
            for network in self.networks
        ]
        prediction = torch.stack([p for p, _ in outputs]).mean(0)  # (B, H, N)
        temporal = torch.stack([a.temporal for _, a in outputs]).mean(0)  # (B, H, T)
        feature = None
        if outputs[0][1].feature is not None:
            feature = torch.stack([a.feature for _, a in outputs]).mean(0)  # (B, T, F)
        return prediction, AttentionWeights(temporal, feature)
