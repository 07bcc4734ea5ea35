// hg::Sequential — layers applied one after the other: y = f_n(... f_2(f_1(x))).
// The layers are named by their position, so parameters read "0.weight", "2.bias", ...
//
//   auto encoder = hg::sequential({std::make_shared<hg::Linear>(1682, 20, rng),
//                                  std::make_shared<hg::Sigmoid>()});
//   hg::Var z = (*encoder)(x);
//   encoder->add(std::make_shared<hg::Dropout>(0.2f, rng));   // grows at the end: "(2)"
#pragma once

#include <initializer_list>
#include <memory>
#include <string>

#include "nn/module.hpp"

namespace hg {

class Sequential : public Module {
public:
    Sequential() : Module("Sequential") {}
    Sequential(std::initializer_list<std::shared_ptr<Module>> layers) : Module("Sequential") {
        for (const auto& layer : layers) add(layer);
    }

    Sequential& add(std::shared_ptr<Module> layer) {
        register_module(std::to_string(children().size()), std::move(layer));
        return *this;
    }

    Var forward(const Var& x) override {
        Var y = x;
        for (const auto& [name, layer] : children()) y = layer->forward(y);
        return y;
    }

    std::size_t size() const { return children().size(); }
    Module& operator[](std::size_t i) const { return *children().at(i).second; }
};

// make_shared cannot forward a braced list, hence this helper.
inline std::shared_ptr<Sequential> sequential(std::initializer_list<std::shared_ptr<Module>> layers) {
    return std::make_shared<Sequential>(layers);
}

}  // namespace hg
