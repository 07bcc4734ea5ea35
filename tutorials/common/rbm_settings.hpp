// The settings tutorials 15 and 16 share, each with its flag: how many images, how long CD-1
// runs, CD-1's recipe (hg::models::CdSettings, models/rbm.hpp) and Adam's learning rate for
// the autoencoder trained beside the RBMs.
//
//   tut::RbmSettings s;
//   s.add_flags(t, "the tied autoencoder");  // before t.run(...)
//   ... inside run(): s.train_images is 10000 (1500 under --quick), s.rbm_epochs 10 (4)
#pragma once

#include <cstddef>
#include <string>

#include "models/rbm.hpp"
#include "tutorials/common/tutorial.hpp"

namespace hg::tutorial {

struct RbmSettings {
    std::size_t train_images = 0;  // --train-images
    int rbm_epochs = 0;            // --rbm-epochs: epochs of CD-1 (per RBM)
    float lr = 1e-3f;              // --lr: Adam's, for the autoencoder
    hg::models::CdSettings cd;     // --cd-lr, --cd-batch, --cd-momentum

    void add_flags(Tutorial& t, const std::string& adam_trains) {
        t.setting("--train-images", train_images, {10000, 1500}, "Training images")->check(between(200, 60000));
        t.setting("--rbm-epochs", rbm_epochs, {10, 4}, "Epochs of CD-1 per RBM")->check(at_least(1));
        t.app().add_option("--lr", lr, "Adam's learning rate for " + adam_trains)->check(above(0));
        t.app().add_option("--cd-lr", cd.lr, "CD-1 learning rate ε of the binary RBMs")->check(above(0));
        t.app().add_option("--cd-batch", cd.batch, "Mini-batch size of CD-1 (default 20)")->check(at_least(1));
        t.app().add_option("--cd-momentum", cd.final_momentum, "CD-1 momentum after the first epochs")->check(between(0.0, 0.99));
    }
};

}  // namespace hg::tutorial
