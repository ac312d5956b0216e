"""log p(x) − ELBO = KL(q(z|x) ‖ p(z|x)), exactly, in a model with a discrete latent.

Chapter "KL divergence", section on the VAE. A mixture of K product-Bernoulli
"images": z ~ Categorical(π), x | z ~ Bernoulli(θ_z) on D binary pixels. Here
log p(x) is an exact log-sum-exp and p(z|x) an exact softmax, so the ELBO
identity, and the split ELBO = reconstruction − KL to the prior, can be checked
for any q(z|x), at generic parameters (chapter 7 checks it for a Gaussian latent).
"""

# %%
import torch
from torch.distributions import Bernoulli, Categorical, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
K, D = 4, 9  # latent states, pixels

# %%
# --8<-- [start:elbo]
def log_lik(x, theta):
    """log p(x | z) for every z: shape (K,)."""
    return Bernoulli(probs=theta).log_prob(x).sum(-1)


def elbo(x, log_prior, theta, q):
    """Reconstruction E_q[log p(x|z)] minus KL(q(z|x) ‖ p(z))."""
    reconstruction = (q.probs * log_lik(x, theta)).sum()
    return reconstruction - kl_divergence(q, Categorical(logits=log_prior))
# --8<-- [end:elbo]


# %%
# --8<-- [start:check]
gaps = []
for trial in range(2):
    log_prior = torch.randn(K).log_softmax(-1)  # generic π
    theta = torch.rand(K, D) * 0.9 + 0.05  # generic pixel probabilities per state
    x = torch.bernoulli(torch.rand(D))
    log_joint = log_prior + log_lik(x, theta)  # log p(x, z)
    log_evidence = log_joint.logsumexp(-1)  # log p(x), exact
    posterior = Categorical(logits=log_joint)  # p(z | x), exact
    q = Categorical(logits=torch.randn(K))  # any encoder output
    gap = log_evidence - elbo(x, log_prior, theta, q)
    assert torch.isclose(gap, kl_divergence(q, posterior), atol=1e-12), "gap = KL(q ‖ p(z|x))"
    assert gap > 1e-3, "positive for a q that is not the posterior"
    assert torch.isclose(elbo(x, log_prior, theta, posterior), log_evidence, atol=1e-12), "tight at q = p(z|x)"
    # the same ELBO written as E_q[log p(x, z) − log q(z)]
    assert torch.isclose((q.probs * (log_joint - q.logits)).sum(), log_evidence - gap, atol=1e-12), "E_q log p(x,z)/q"
    gaps.append(gap.item())
# --8<-- [end:check]
gap_trial0 = gaps[0]

# %%
# --8<-- [start:fit]
# Maximising the ELBO over q minimises the reverse KL(q ‖ p(z|x)). The
# categorical family contains the posterior, so the reverse KL reaches 0:
# no mode seeking when q can represent its target.
logits_q = torch.zeros(K, requires_grad=True)
opt = torch.optim.LBFGS([logits_q], max_iter=200, tolerance_grad=1e-12, tolerance_change=0.0, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = -elbo(x, log_prior, theta, Categorical(logits=logits_q))
    loss.backward()
    return loss


opt.step(closure)
fitted = Categorical(logits=logits_q.detach())
assert torch.allclose(fitted.probs, posterior.probs, atol=1e-6), "the fitted q is the posterior"
# --8<-- [end:fit]
print(f"gaps: {gaps}")
