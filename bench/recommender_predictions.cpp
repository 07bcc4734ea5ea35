// A saved recommender's predictions for every user, for PyTorch to reproduce: the load check
// of bench/compare.py (bench/pytorch/load_hourglass.py). Loads a model tutorial 03 saved
// (--mode course: models/course.hpp; corrected: models/recommender.hpp) and writes one
// .safetensors file holding "input", every user's training row (users in index order), and
// "predictions", what the model predicts from it (users x movies; the corrected model's
// include its bias baseline), with the metadata mode=<mode>.
//
//   build/tutorials/03_recommender --mode course --epochs 1 --save course.safetensors
//   build/bench/recommender_predictions --mode course --model course.safetensors --data DIR/ml-100k --out pred.safetensors
#include <CLI/CLI.hpp>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/var.hpp"
#include "data/builtin.hpp"
#include "data/movielens.hpp"
#include "data/ratings.hpp"
#include "models/course.hpp"
#include "models/recommender.hpp"
#include "nn/safetensors.hpp"

int main(int argc, char** argv) {
    CLI::App app("Every user's predictions from a recommender tutorial 03 saved", "recommender_predictions");
    std::string mode = "corrected", model_file, data, out;
    app.add_option("--mode", mode, "The recipe the model was saved from: course | corrected")
        ->check(CLI::IsMember({"course", "corrected"}));
    app.add_option("--model", model_file, "The saved model (.safetensors)")->required()->check(CLI::ExistingFile);
    app.add_option("--data", data, "The ml-100k folder (u1.base), or 'builtin' for the built-in set")->required();
    app.add_option("--out", out, "Where to write input and predictions (.safetensors)")->required();
    CLI11_PARSE(app, argc, argv);
    try {
        const hg::data::Split split =
            data == "builtin" ? hg::data::synthetic_movielens().split() : hg::data::load_movielens_split(data, "u1");
        const hg::data::RatingMatrix train = hg::data::RatingMatrix::from(split.train);
        std::vector<std::size_t> users(train.n_users());
        std::iota(users.begin(), users.end(), std::size_t{0});
        const hg::Tensor input = train.dense_rows(users);
        hg::Rng rng(1);  // the weights are overwritten by the file
        hg::Tensor pred;
        if (mode == "course") {
            auto model = hg::models::course_model(train.n_items(), rng);
            hg::load(*model, model_file);
            hg::NoGradGuard no_grad;
            pred = (*model)(hg::Var::constant(input)).value();
        } else {
            hg::models::ResidualAutoencoder model(train.n_users(), train.n_items(), hg::models::RecommenderSettings{}, rng);
            hg::load(model, model_file);
            model.eval();  // dropout off
            pred = model.predict(train, users);
        }
        hg::save_safetensors(out, {{"input", input}, {"predictions", pred}}, {{"mode", mode}});
        std::cout << "result: mode=" << mode << " users=" << train.n_users() << " movies=" << train.n_items() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "recommender_predictions: " << e.what() << "\n";
        return 1;
    }
}
