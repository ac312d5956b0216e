"""Binary NCE recovers a density with its normaliser; InfoNCE's N-way version recovers it only up to a constant.

Chapter "Contrastive loss (InfoNCE)". A model log q̃(y) = s_y on K categories is
fitted by two classification tasks against a noise distribution p_n.
NCE (Gutmann & Hyvärinen, 2010): is this point data or noise? InfoNCE (ranking
NCE): which of N points, one from the data and N − 1 from the noise, is the
data point? Both population losses are computed exactly by summing over every
outcome, so the minimisers can be compared with p_data without sampling error.
"""

# %%
import itertools
import math

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
K, NU, N = 6, 3, 3  # categories, noise points per data point, candidates
p_data = torch.distributions.Dirichlet(torch.full((K,), 2.0)).sample()
p_noise = torch.distributions.Dirichlet(torch.full((K,), 2.0)).sample()


def fit(loss_fn):
    s = torch.zeros(K, requires_grad=True)
    opt = torch.optim.LBFGS([s], max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=1e-14, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn(s)
        loss.backward()
        return loss

    opt.step(closure)
    return s.detach()


# %%
# --8<-- [start:nce]
def nce_loss(s):
    """E_data[−log σ(G)] + ν E_noise[−log(1 − σ(G))], G = s − log(ν p_n)."""
    g = s - torch.log(NU * p_noise)
    return (p_data * F.softplus(-g)).sum() + NU * (p_noise * F.softplus(g)).sum()


s_nce = fit(nce_loss)
assert torch.allclose(s_nce, torch.log(p_data), atol=1e-6), (
    "NCE's optimum is log p_data itself, normaliser included"
)
# --8<-- [end:nce]

# %%
# --8<-- [start:infonce]
tuples = torch.tensor(list(itertools.product(range(K), repeat=N)))  # K^N


def infonce_loss(s):
    """Candidate 0 from p_data, 1..N−1 from p_n; logits s − log p_n."""
    prob = p_data[tuples[:, 0]] * p_noise[tuples[:, 1:]].prod(dim=1)
    logits = (s - torch.log(p_noise))[tuples]  # (K^N, N)
    nll = F.cross_entropy(logits, torch.zeros(len(tuples), dtype=torch.long),
                          reduction="none")
    return (prob * nll).sum()


s_info = fit(infonce_loss)
offset = s_info - torch.log(p_data)
assert offset.std() < 1e-6, "InfoNCE's optimum is log p_data + a constant"
assert math.isclose(infonce_loss(s_info + 5.0).item(),
                    infonce_loss(s_info).item(), rel_tol=1e-12), (
    "adding a constant to s changes nothing: the normaliser is not learned"
)
assert abs(nce_loss(s_nce + 0.5) - nce_loss(s_nce)) > 1e-3, (
    "NCE does see the constant"
)
# --8<-- [end:infonce]
offset_info = offset.mean().item()
print(f"NCE: max |s − log p| = {(s_nce - p_data.log()).abs().max():.1e}; "
      f"InfoNCE: s − log p = {offset_info:.3f} ± {offset.std():.1e}")
