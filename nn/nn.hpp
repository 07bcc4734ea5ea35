// Everything in nn/ at once: #include "nn/nn.hpp".
#pragma once

#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/clip_grad.hpp"
#include "nn/dropout.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/loss.hpp"
#include "nn/lr_schedule.hpp"
#include "nn/module.hpp"
#include "nn/optimizer.hpp"
#include "nn/rmsprop.hpp"
#include "nn/rprop.hpp"
#include "nn/safetensors.hpp"
#include "nn/sequential.hpp"
#include "nn/sgd.hpp"
