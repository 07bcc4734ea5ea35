#include "models/vae.hpp"

#include <algorithm>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "autograd/loss.hpp"

namespace hg::models {

namespace {
constexpr std::size_t kPixels = 784, kHidden = 400;
}

Vae::Vae(std::size_t latent, Rng& rng) : Module("VAE") {
    hidden = register_module("encoder", std::make_shared<Linear>(kPixels, kHidden, rng));
    to_mu = register_module("mu", std::make_shared<Linear>(kHidden, latent, rng));
    to_logvar = register_module("logvar", std::make_shared<Linear>(kHidden, latent, rng));
    decoder = register_module("decoder", sequential({std::make_shared<Linear>(latent, kHidden, rng), std::make_shared<ReLU>(),
                                                     std::make_shared<Linear>(kHidden, kPixels, rng)}));
}

Posterior Vae::encode(const Var& x) {
    const Var h = relu((*hidden)(x));
    return {(*to_mu)(h), (*to_logvar)(h)};
}

VaeLoss vae_loss(Vae& model, const Var& x, Rng& rng) {
    const float n = static_cast<float>(x.shape()[0]);
    const Posterior q = model.encode(x);
    const Var z = reparameterise(q.mu, q.logvar, rng);
    // bce_with_logits is the mean over N x 784 entries: x 784 gives Σ_pixels, averaged over N.
    const Var bce = bce_with_logits(model.decode(z), x) * static_cast<float>(kPixels);
    const Var kl = vae_kl(q.mu, q.logvar) * (1.0f / n);  // vae_kl sums over the batch
    return {bce, kl};
}

VaeScore vae_score(Vae& model, const Tensor& x, std::uint64_t seed) {
    NoGradGuard no_grad;
    Rng rng(seed);
    VaeScore e;
    for (std::size_t start = 0; start < x.rows(); start += 1000) {
        const Tensor xb = x.slice_rows(start, std::min(x.rows(), start + 1000));
        const VaeLoss l = vae_loss(model, Var::constant(xb), rng);
        e.bce += l.bce.item() * static_cast<double>(xb.rows());
        e.kl += l.kl.item() * static_cast<double>(xb.rows());
    }
    e.bce /= static_cast<double>(x.rows());
    e.kl /= static_cast<double>(x.rows());
    return e;
}

Tensor posterior_means(Vae& model, const Tensor& x) {
    NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < x.rows(); start += 1000)
        parts.push_back(model.encode(Var::constant(x.slice_rows(start, std::min(x.rows(), start + 1000)))).mu.value());
    return Tensor::concat_rows(parts);
}

}  // namespace hg::models
