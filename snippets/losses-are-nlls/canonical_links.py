"""With the canonical link, the gradient of the NLL with respect to the network's output is (mean − y).

Chapter "Losses are negative log-likelihoods": the Gaussian (identity link),
Bernoulli (logit), categorical (softmax) and Poisson (log) rows share one
gradient, the predicted mean minus the target, divided by the Gaussian's σ²
where there is one. Each is checked by autograd on the torch.distributions NLL.
"""

# %%
import torch
from torch.distributions import Bernoulli, Categorical, Normal, Poisson

SEED = 0
torch.manual_seed(SEED)
n, K = 200, 4


def grad_of_nll(dist_from_eta, eta, y):
    """∂/∂η of Σ −log p(y | η), by autograd."""
    eta = eta.clone().requires_grad_()
    (g,) = torch.autograd.grad(-dist_from_eta(eta).log_prob(y).sum(), eta)
    return g


# %%
# --8<-- [start:links]
eta = torch.randn(n, dtype=torch.float64) * 1.5  # one output per example
for sigma in (0.6, 1.7):  # identity link: η = μ
    y = torch.randn(n, dtype=torch.float64) * 2
    g = grad_of_nll(lambda e: Normal(e, sigma), eta, y)
    assert torch.allclose(g, (eta - y) / sigma**2), "Gaussian: (μ − y)/σ²"

y = torch.randint(0, 2, (n,)).double()  # logit link: p = σ(η)
g = grad_of_nll(lambda e: Bernoulli(logits=e), eta, y)
assert torch.allclose(g, torch.sigmoid(eta) - y), "Bernoulli: σ(η) − y"

y = torch.poisson(torch.full((n,), 3.0, dtype=torch.float64))  # log link
g = grad_of_nll(lambda e: Poisson(e.exp()), eta, y)
assert torch.allclose(g, eta.exp() - y), "Poisson: λ − y"

logits = torch.randn(n, K, dtype=torch.float64) * 1.5  # softmax link
labels = torch.randint(0, K, (n,))
g = grad_of_nll(lambda z: Categorical(logits=z), logits, labels)
one_hot = torch.nn.functional.one_hot(labels, K).double()
assert torch.allclose(g, logits.softmax(1) - one_hot), (
    "categorical: softmax(z) − one-hot(y)"
)
# --8<-- [end:links]

# %% [markdown]
# A non-canonical pairing loses the form. A Poisson whose network outputs λ
# through a softplus (not exp) has ∂NLL/∂η = σ(η)(1 − y/λ), not λ − y.

# %%
# --8<-- [start:non-canonical]
y = torch.poisson(torch.full((n,), 3.0, dtype=torch.float64))
lam = torch.nn.functional.softplus(eta)
g = grad_of_nll(lambda e: Poisson(torch.nn.functional.softplus(e)), eta, y)
assert torch.allclose(g, torch.sigmoid(eta) * (1 - y / lam)), (
    "softplus link: the chain rule leaves a factor"
)
assert not torch.allclose(g, lam - y), "so the gradient is not mean − y"
# --8<-- [end:non-canonical]
print("canonical links: ∂NLL/∂η = mean − y for all four")
