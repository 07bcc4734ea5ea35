// Element-wise ops. Primitives have a backward rule; composites are built from them.
#include <cmath>

#include "autograd/ops.hpp"

namespace hg {

// ---- primitives ----

Var add(const Var& a, const Var& b) {
    // dA = dY, dB = dY  (each summed back to its own shape if it was broadcast)
    return make_op("add", a.value() + b.value(), {a, b}, [a, b](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(dy);
        b.accumulate_grad(dy);
    });
}

Var mul(const Var& a, const Var& b) {
    // dA = dY ⊙ B, dB = dY ⊙ A
    return make_op("mul", a.value() * b.value(), {a, b}, [a, b](const Tensor& dy, const Tensor&) {
        if (a.requires_grad()) a.accumulate_grad(dy * b.value());
        if (b.requires_grad()) b.accumulate_grad(dy * a.value());
    });
}

Var scale(const Var& a, float s) {
    // dA = s · dY
    return make_op("scale", a.value() * s, {a}, [a, s](const Tensor& dy, const Tensor&) { a.accumulate_grad(dy * s); });
}

Var add_scalar(const Var& a, float s) {
    // dA = dY
    return make_op("add_scalar", a.value() + s, {a}, [a](const Tensor& dy, const Tensor&) { a.accumulate_grad(dy); });
}

Var pow(const Var& a, float p) {
    // dA = dY ⊙ p·A^(p-1)   (for p = 0, A^0 is constant: 0, even at A = 0 where A^-1 is infinite)
    return make_op("pow", hg::pow(a.value(), p), {a}, [a, p](const Tensor& dy, const Tensor&) {
        if (p == 0.0f) return;
        a.accumulate_grad(dy * (p * hg::pow(a.value(), p - 1.0f)));
    });
}

Var square(const Var& a) {
    // dA = dY ⊙ 2A
    return make_op("square", hg::square(a.value()), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(dy * (2.0f * a.value()));
    });
}

Var exp(const Var& a) {
    // dA = dY ⊙ Y   (Y = exp(A) is kept, not recomputed)
    return make_op("exp", hg::exp(a.value()), {a}, [a](const Tensor& dy, const Tensor& y) { a.accumulate_grad(dy * y); });
}

Var log(const Var& a) {
    // dA = dY / A
    return make_op("log", hg::log(a.value()), {a}, [a](const Tensor& dy, const Tensor&) { a.accumulate_grad(dy / a.value()); });
}

Var sqrt(const Var& a) {
    // dA = dY / (2Y)
    return make_op("sqrt", hg::sqrt(a.value()), {a}, [a](const Tensor& dy, const Tensor& y) {
        a.accumulate_grad(dy / (2.0f * y));
    });
}

Var abs(const Var& a) {
    // dA = dY ⊙ sign(A)
    return make_op("abs", hg::abs(a.value()), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(dy * sign(a.value()));
    });
}

// ---- composites: no backward rule of their own (each marks its ops: see CompositeScope) ----

Var sub(const Var& a, const Var& b) {
    CompositeScope composite("sub");
    return add(a, scale(b, -1.0f));
}
Var div(const Var& a, const Var& b) {
    CompositeScope composite("div");
    return mul(a, pow(b, -1.0f));
}
Var neg(const Var& a) {
    CompositeScope composite("neg");
    return scale(a, -1.0f);
}
Var mask(const Var& a, const Tensor& m) {
    CompositeScope composite("mask");
    return mul(a, Var::constant(m, "mask"));
}

Var operator+(const Var& a, const Var& b) { return add(a, b); }
Var operator-(const Var& a, const Var& b) { return sub(a, b); }
Var operator*(const Var& a, const Var& b) { return mul(a, b); }
Var operator/(const Var& a, const Var& b) { return div(a, b); }
Var operator-(const Var& a) { return neg(a); }
Var operator+(const Var& a, float s) { return add_scalar(a, s); }
Var operator+(float s, const Var& a) { return add_scalar(a, s); }
Var operator-(const Var& a, float s) { return add_scalar(a, -s); }
Var operator-(float s, const Var& a) { return add_scalar(neg(a), s); }
Var operator*(const Var& a, float s) { return scale(a, s); }
Var operator*(float s, const Var& a) { return scale(a, s); }
Var operator/(const Var& a, float s) { return scale(a, 1.0f / s); }
Var operator/(float s, const Var& a) { return scale(pow(a, -1.0f), s); }

Var& operator+=(Var& a, const Var& b) { return a = a + b; }
Var& operator-=(Var& a, const Var& b) { return a = a - b; }
Var& operator*=(Var& a, const Var& b) { return a = a * b; }
Var& operator/=(Var& a, const Var& b) { return a = a / b; }
Var& operator+=(Var& a, float s) { return a = a + s; }
Var& operator-=(Var& a, float s) { return a = a - s; }
Var& operator*=(Var& a, float s) { return a = a * s; }
Var& operator/=(Var& a, float s) { return a = a / s; }

}  // namespace hg
