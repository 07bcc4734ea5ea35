#include "models/course.hpp"

#include "nn/activation.hpp"
#include "nn/linear.hpp"

namespace hg::models {

std::shared_ptr<Sequential> course_model(std::size_t n_items, Rng& rng) {
    return sequential({std::make_shared<Linear>(n_items, 20, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(20, 10, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(10, 20, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(20, n_items, rng)});
}

RMSpropOptions course_rmsprop() { return RMSpropOptions(0.01f).alpha(0.99f).eps(1e-8f).weight_decay(0.5f); }

}  // namespace hg::models
