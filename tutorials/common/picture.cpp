#include "tutorials/common/picture.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "tensor/format.hpp"

namespace hg::tutorial {

namespace {

void commit(const std::string& tmp, const std::string& path) { std::filesystem::rename(tmp, path); }

void write_text(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        if (!f) throw std::runtime_error("cannot write '" + tmp + "'");
        f << text;
        if (!f) throw std::runtime_error("writing '" + tmp + "' failed");
    }
    commit(tmp, path);
}

std::string num(double v) { return hg::format_number(v, 4); }

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else out += c;
    }
    return out;
}

// Ten colours that stay apart (Tableau 10).
const char* colour(int i) {
    static const char* palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    return palette[static_cast<unsigned>(i) % 10];
}

struct Frame {
    double x0, x1, y0, y1;                                    // data range
    double left = 70, right = 160, top = 40, bottom = 50;     // margins (legend on the right)
    double w = 640, h = 400;
    double px(double x) const { return left + (x - x0) / (x1 - x0) * (w - left - right); }
    double py(double y) const { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); }
};

std::string axes(const Frame& f, const std::string& title, const std::string& xl, const std::string& yl,
                 bool log_y) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(f.w) + "\" height=\"" + num(f.h) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += "<text x=\"" + num(f.w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + escape(title) + "</text>\n";
    s += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(f.h - f.bottom) + "\" x2=\"" + num(f.w - f.right) + "\" y2=\"" +
         num(f.h - f.bottom) + "\" stroke=\"black\"/>\n";
    s += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(f.left) + "\" y2=\"" +
         num(f.h - f.bottom) + "\" stroke=\"black\"/>\n";
    for (int i = 0; i <= 4; ++i) {
        const double x = f.x0 + (f.x1 - f.x0) * i / 4, y = f.y0 + (f.y1 - f.y0) * i / 4;
        s += "<text x=\"" + num(f.px(x)) + "\" y=\"" + num(f.h - f.bottom + 16) + "\" text-anchor=\"middle\">" +
             num(x) + "</text>\n";
        s += "<text x=\"" + num(f.left - 6) + "\" y=\"" + num(f.py(y) + 4) + "\" text-anchor=\"end\">" +
             num(log_y ? std::pow(10.0, y) : y) + "</text>\n";
    }
    s += "<text x=\"" + num((f.left + f.w - f.right) / 2) + "\" y=\"" + num(f.h - 10) + "\" text-anchor=\"middle\">" +
         escape(xl) + "</text>\n";
    s += "<text x=\"16\" y=\"" + num(f.h / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " + num(f.h / 2) +
         ")\">" + escape(yl) + "</text>\n";
    return s;
}

std::string legend(const Frame& f, const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double y = f.top + 10 + 18 * static_cast<double>(i);
        s += "<rect x=\"" + num(f.w - f.right + 12) + "\" y=\"" + num(y - 9) + "\" width=\"12\" height=\"12\" fill=\"" +
             colour(static_cast<int>(i)) + "\"/>\n";
        s += "<text x=\"" + num(f.w - f.right + 30) + "\" y=\"" + num(y + 1) + "\">" + escape(names[i]) + "</text>\n";
    }
    return s;
}

void widen(double& lo, double& hi) {
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
}

}  // namespace

void write_png_grid(const std::string& path, const Tensor& images, std::size_t height, std::size_t width,
                    std::size_t cols, float lo, float hi) {
    if (images.rank() != 2 || images.shape()[1] != height * width)
        throw ShapeError("write_png_grid: images must be (N x " + std::to_string(height * width) + ") for " +
                         std::to_string(height) + "x" + std::to_string(width) + " tiles, got " + images.shape().str());
    const std::size_t n = images.shape()[0];
    if (n == 0 || cols == 0) throw ValueError("write_png_grid: nothing to draw (" + std::to_string(n) + " images)");
    const std::size_t rows = (n + cols - 1) / cols, pad = 1;
    const std::size_t W = cols * (width + pad) + pad, H = rows * (height + pad) + pad;
    std::vector<unsigned char> pixels(W * H, 128);  // grey borders
    for (std::size_t k = 0; k < n; ++k) {
        const float* img = images.data() + k * height * width;
        float a = lo, b = hi;
        if (lo == hi) {  // per-image contrast
            a = *std::min_element(img, img + height * width);
            b = *std::max_element(img, img + height * width);
        }
        const float scale = b > a ? 255.0f / (b - a) : 0.0f;
        const std::size_t ox = pad + (k % cols) * (width + pad), oy = pad + (k / cols) * (height + pad);
        for (std::size_t y = 0; y < height; ++y)
            for (std::size_t x = 0; x < width; ++x) {
                const float v = std::clamp((img[y * width + x] - a) * scale, 0.0f, 255.0f);
                pixels[(oy + y) * W + ox + x] = static_cast<unsigned char>(std::lround(v));
            }
    }
    const std::string tmp = path + ".tmp";
    if (!stbi_write_png(tmp.c_str(), static_cast<int>(W), static_cast<int>(H), 1, pixels.data(), static_cast<int>(W)))
        throw std::runtime_error("write_png_grid: cannot write '" + tmp + "'");
    commit(tmp, path);
}

void write_svg_curves(const std::string& path, const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<Curve>& curves, bool log_y) {
    Frame f{1, 2, std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
    auto tr = [log_y](double v) { return log_y ? std::log10(std::max(v, 1e-30)) : v; };
    for (const Curve& c : curves)
        if (!c.x.empty() && c.x.size() != c.y.size())
            throw ValueError("write_svg_curves: curve '" + c.name + "' has " + std::to_string(c.x.size()) +
                             " x values for " + std::to_string(c.y.size()) + " y values");
    auto x_of = [](const Curve& c, std::size_t i) { return c.x.empty() ? static_cast<double>(i + 1) : c.x[i]; };
    f.x0 = std::numeric_limits<double>::max(), f.x1 = std::numeric_limits<double>::lowest();
    for (const Curve& c : curves) {
        for (std::size_t i = 0; i < c.y.size(); ++i) {
            f.x0 = std::min(f.x0, x_of(c, i));
            f.x1 = std::max(f.x1, x_of(c, i));
        }
        for (double v : c.y)
            if (std::isfinite(v)) {
                f.y0 = std::min(f.y0, tr(v));
                f.y1 = std::max(f.y1, tr(v));
            }
    }
    if (f.y0 > f.y1) f.y0 = 0, f.y1 = 1;
    if (f.x0 > f.x1) f.x0 = 1, f.x1 = 1;
    widen(f.x0, f.x1);
    widen(f.y0, f.y1);
    std::string s = axes(f, title, x_label, y_label, log_y);
    std::vector<std::string> names;
    for (std::size_t c = 0; c < curves.size(); ++c) {
        std::string pts, marks;
        for (std::size_t i = 0; i < curves[c].y.size(); ++i)
            if (std::isfinite(curves[c].y[i])) {
                const std::string px = num(f.px(x_of(curves[c], i))), py = num(f.py(tr(curves[c].y[i])));
                pts += px + "," + py + " ";
                if (!curves[c].x.empty())
                    marks += "<circle cx=\"" + px + "\" cy=\"" + py + "\" r=\"3.5\" fill=\"" +
                             colour(static_cast<int>(c)) + "\"/>\n";
            }
        s += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(colour(static_cast<int>(c))) +
             "\" points=\"" + pts + "\"/>\n" + marks;
        names.push_back(curves[c].name);
    }
    write_text(path, s + legend(f, names) + "</svg>\n");
}

void write_svg_scatter(const std::string& path, const std::string& title, const std::vector<Point>& points,
                       const std::vector<std::string>& group_names) {
    Frame f{std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
            std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
    for (const Point& p : points) {
        f.x0 = std::min(f.x0, p.x), f.x1 = std::max(f.x1, p.x);
        f.y0 = std::min(f.y0, p.y), f.y1 = std::max(f.y1, p.y);
    }
    if (points.empty()) f.x0 = f.y0 = 0, f.x1 = f.y1 = 1;
    widen(f.x0, f.x1);
    widen(f.y0, f.y1);
    f.w = 640, f.h = 560;
    std::string s = axes(f, title, "z[0]", "z[1]", false);
    for (const Point& p : points)
        s += "<circle cx=\"" + num(f.px(p.x)) + "\" cy=\"" + num(f.py(p.y)) + "\" r=\"2\" fill=\"" + colour(p.group) +
             "\" fill-opacity=\"0.6\"/>\n";
    write_text(path, s + legend(f, group_names) + "</svg>\n");
}

}  // namespace hg::tutorial
