"""InfoNCE is exactly the categorical cross-entropy of "which of the N candidates is the positive", with logits u_i·v_j/τ.

Chapter "When a loss is not a likelihood", contrastive losses (van den Oord,
Li & Vinyals, 2018). The loss is a normalised likelihood, but of a label we
made up (the index of the positive), not of the data; its scale is set by the
number of candidates N.
"""

# %%
import math

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
N, dim, tau = 64, 16, 0.1
u = F.normalize(torch.randn(N, dim, dtype=torch.float64), dim=1)  # view 1
v = F.normalize(u + 0.3 * torch.randn(N, dim, dtype=torch.float64), dim=1)

# %%
# --8<-- [start:infonce]
logits = u @ v.T / tau  # z_ij: row i scores every candidate v_j

# van den Oord et al.'s form: -log f(u_i, v_i) / Σ_j f(u_i, v_j), here
# with CLIP's critic f = exp(u·v/τ), written out without log-sum-exp
f = torch.exp(logits)
infonce = -torch.log(f.diagonal() / f.sum(dim=1)).mean()

assert torch.allclose(infonce, F.cross_entropy(logits, torch.arange(N)),
                      rtol=1e-12, atol=0), (
    "InfoNCE = cross_entropy(logits, arange(N))"
)
# --8<-- [end:infonce]

# %% [markdown]
# It is a normalised likelihood of the *index*: exp(−loss) summed over the N
# possible answers is 1 for every row. Its chance level is log N.

# %%
# --8<-- [start:index]
per_answer = F.cross_entropy(  # row i's loss if the positive were j
    logits.repeat_interleave(N, 0), torch.arange(N).repeat(N),
    reduction="none").reshape(N, N)
assert torch.allclose(torch.exp(-per_answer).sum(dim=1),
                      torch.ones(N, dtype=torch.float64)), (
    "a categorical distribution over the index of the positive"
)
for n in (2, 64, 4096):  # a critic that ignores its input
    flat = torch.zeros(3, n, dtype=torch.float64)
    assert torch.allclose(
        F.cross_entropy(flat, torch.zeros(3, dtype=torch.long)),
        torch.tensor(math.log(n), dtype=torch.float64)), (
        "at chance, InfoNCE = log N: its scale is the task's, not the data's"
    )
# CLIP's symmetric loss is the same likelihood in both directions.
clip = (F.cross_entropy(logits, torch.arange(N))
        + F.cross_entropy(logits.T, torch.arange(N))) / 2
infonce_cols = -torch.log(f.diagonal() / f.sum(dim=0)).mean()
assert torch.allclose(clip, (infonce + infonce_cols) / 2), (
    "CLIP = mean of row- and column-wise InfoNCE"
)
# --8<-- [end:index]

# %% [markdown]
# SimCLR's NT-Xent pools the 2N embeddings of both views and asks each one
# for its partner among the other 2N − 1: a (2N − 1)-way categorical NLL.

# %%
# --8<-- [start:nt-xent]
both = torch.cat([u, v])  # row i's partner is row i + N (mod 2N)
sim = both @ both.T / tau
self_pair = torch.eye(2 * N, dtype=torch.bool)
f2 = torch.exp(sim).masked_fill(self_pair, 0)  # a view is no candidate
partner = torch.arange(2 * N).roll(N)
nt_xent = -torch.log(f2[torch.arange(2 * N), partner] / f2.sum(1)).mean()
assert ((f2 > 0).sum(dim=1) == 2 * N - 1).all(), "2N - 1 candidates"
assert torch.allclose(
    nt_xent,
    F.cross_entropy(sim.masked_fill(self_pair, -math.inf), partner),
    rtol=1e-12, atol=0), "NT-Xent = (2N-1)-way cross-entropy"
# --8<-- [end:nt-xent]
print(f"InfoNCE = {infonce:.4f} (chance level log N = {math.log(N):.4f})")
