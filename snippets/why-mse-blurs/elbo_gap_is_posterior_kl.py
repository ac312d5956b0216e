"""The ELBO falls short of log p(y) by exactly KL(q(z|y) ‖ p(z|y)).

Chapter "Why MSE blurs", the VAE aside. In a linear-Gaussian latent model,
z ~ N(0, I) and y | z ~ N(Wz + b, Ψ), everything has a closed form: the
evidence p(y) = N(y | b, WWᵀ + Ψ), the posterior p(z|y), and, for a Gaussian
q(z|y), the ELBO E_q[log p(y|z)] − KL(q ‖ p(z)). So the identity
log p(y) − ELBO = KL(q(z|y) ‖ p(z|y)) can be checked exactly, for any q.
"""

# %%
import torch
from torch.distributions import MultivariateNormal as MVN
from torch.distributions import kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
K_Z, D_Y = 2, 3  # latent and observed dimensions


def random_cov(n):
    """A generic covariance matrix: positive definite, not diagonal."""
    a = torch.randn(n, n)
    return a @ a.T + 0.3 * torch.eye(n)


# %%
# --8<-- [start:elbo]
def elbo(y, W, b, psi, q):
    """E_q[log p(y|z)] − KL(q ‖ N(0, I)), in closed form."""
    # E_q log N(y | Wz + b, Ψ): the log-density at the mean of Wz + b,
    # minus half the trace of Ψ⁻¹ times the covariance of Wz under q
    fit = MVN(W @ q.mean + b, psi).log_prob(y)
    spread = 0.5 * torch.trace(torch.linalg.solve(psi, W @ q.covariance_matrix @ W.T))
    prior = MVN(torch.zeros(K_Z), torch.eye(K_Z))
    return fit - spread - kl_divergence(q, prior)


def posterior(y, W, b, psi):
    """p(z|y) by Bayes' rule for the linear-Gaussian model."""
    prec = torch.eye(K_Z) + W.T @ torch.linalg.solve(psi, W)
    cov = torch.linalg.inv(prec)
    return MVN(cov @ W.T @ torch.linalg.solve(psi, y - b), cov)
# --8<-- [end:elbo]


# %% [markdown]
# Two generic models, each with an observation and a q that is not the
# posterior. The expected log-likelihood is also estimated by sampling q,
# which checks the closed form independently.

# %%
# --8<-- [start:check]
for trial in range(2):
    W, b, psi = torch.randn(D_Y, K_Z), torch.randn(D_Y), random_cov(D_Y)
    y = torch.randn(D_Y)
    q = MVN(torch.randn(K_Z), random_cov(K_Z))
    log_evidence = MVN(b, W @ W.T + psi).log_prob(y)
    gap = log_evidence - elbo(y, W, b, psi, q)
    post = posterior(y, W, b, psi)
    assert torch.isclose(gap, kl_divergence(q, post), rtol=0, atol=1e-10), (
        "log p(y) − ELBO = KL(q ‖ p(z|y))"
    )
    assert gap > 0.01, "a q that is not the posterior pays a visible gap"
    assert torch.isclose(elbo(y, W, b, psi, post), log_evidence, atol=1e-10), (
        "at q = p(z|y) the bound is tight"
    )
    z = q.sample((200_000,))
    ll = MVN(z @ W.T + b, psi).log_prob(y)  # log p(y | z) for each draw
    mc_elbo = ll.mean() - kl_divergence(q, MVN(torch.zeros(K_Z), torch.eye(K_Z)))
    se = ll.std() / len(ll) ** 0.5
    assert abs(mc_elbo - elbo(y, W, b, psi, q)) < 5 * se, (
        "the closed-form E_q log p(y|z) matches sampling"
    )
# --8<-- [end:check]
