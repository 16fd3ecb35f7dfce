//! The layer kit (`problems::nn`): every layer's gradient against central finite differences, at random
//! points and shapes (stride and padding edge cases included); blocks of samples against one sample at
//! a time, to the bit; f32 against f64; and the kit's losses against the regression models they
//! describe, to the bit.

use dynabatch_core::data::{Dataset, Labels};
use dynabatch_core::problems::nn::{
    Bias, ConvSpec, Element, Loss, Network, Scale, Sequence, Shape, Shortcut, Target,
};
use dynabatch_core::problems::{LinearModel, NetworkModel, Problem, Regression};
use dynabatch_core::rng::{Purpose, Stream};
use std::sync::Arc;

fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut stream = Stream::new(seed, Purpose::Data);
    (0..n).map(|_| stream.normal()).collect()
}

/// Σ r · f(w, x) over a block of `R` samples: a scalar whose gradient with respect to the block's
/// output is `r`.
fn probe<const R: usize>(layers: &Sequence, w: &[f64], x: &[f64], r: &[f64]) -> f64 {
    let len = layers.input().len();
    let x: [&[f64]; R] = std::array::from_fn(|s| &x[s * len..(s + 1) * len]);
    let mut scratch = layers.scratch();
    let y = layers.forward(w, x, &mut scratch);
    y.iter().zip(r).map(|(y, r)| y * r).sum()
}

fn close(analytic: f64, numeric: f64, what: &str) {
    let tolerance = 1e-6 + 1e-5 * analytic.abs().max(numeric.abs());
    assert!(
        (analytic - numeric).abs() <= tolerance,
        "{what}: backpropagation {analytic}, finite differences {numeric}"
    );
}

/// Checks every parameter's and every input's gradient of a block of `R` samples.
fn check<const R: usize>(name: &str, layers: Sequence, seed: u64) {
    let (params, in_len, out_len) = (layers.params(), layers.input().len(), layers.output().len());
    // Parameters at a random point, not the initial one: learned scales start at 0 and biases at 0.
    let w: Vec<f64> = normals(seed, params).iter().map(|v| 0.5 * v).collect();
    let x = normals(seed + 1, R * in_len);
    let r = normals(seed + 2, R * out_len);
    let len = in_len;
    let xs: [&[f64]; R] = std::array::from_fn(|s| &x[s * len..(s + 1) * len]);
    let mut scratch = layers.scratch();
    layers.forward(&w, xs, &mut scratch);
    let (mut dw, mut dx) = (vec![0.0; params], vec![f64::NAN; R * in_len]);
    layers.backward(&w, xs, &mut scratch, &r, Some(&mut dx), &mut dw);

    let h = 1e-6;
    let numeric = |w: &[f64], x: &[f64], i: usize, of_input: bool| {
        let (mut w, mut x) = (w.to_vec(), x.to_vec());
        let value = if of_input { &mut x[i] } else { &mut w[i] };
        let centre = *value;
        *value = centre + h;
        let (w_up, x_up) = (w.clone(), x.clone());
        let value = if of_input { &mut x[i] } else { &mut w[i] };
        *value = centre - h;
        (probe::<R>(&layers, &w_up, &x_up, &r) - probe::<R>(&layers, &w, &x, &r)) / (2.0 * h)
    };
    for (i, &analytic) in dw.iter().enumerate() {
        close(
            analytic,
            numeric(&w, &x, i, false),
            &format!("{name}: ∂/∂w[{i}]"),
        );
    }
    for (i, &analytic) in dx.iter().enumerate() {
        close(
            analytic,
            numeric(&w, &x, i, true),
            &format!("{name}: ∂/∂x[{i}]"),
        );
    }
}

fn cases() -> Vec<(&'static str, Sequence)> {
    let image = Shape::image(2, 5, 4);
    vec![
        ("dense", Sequence::new(Shape::flat(7)).dense(3, Bias::None)),
        (
            "dense with bias, tanh",
            Sequence::new(Shape::flat(6))
                .dense(5, Bias::Included)
                .tanh()
                .dense(2, Bias::Included),
        ),
        (
            "relu",
            Sequence::new(Shape::flat(9))
                .dense(8, Bias::Included)
                .relu()
                .dense(3, Bias::None),
        ),
        (
            "conv 3×3, stride 1, padding 1",
            Sequence::new(image).conv(ConvSpec::square(3, 3, 1, 1)),
        ),
        (
            "conv 3×3, stride 2, no padding",
            Sequence::new(image).conv(ConvSpec::square(2, 3, 2, 0)),
        ),
        (
            "conv 3×3, stride 2, padding 1, odd sizes",
            Sequence::new(Shape::image(1, 5, 7)).conv(ConvSpec::square(2, 3, 2, 1)),
        ),
        (
            "conv kernel wider than the input, padded",
            Sequence::new(Shape::image(2, 2, 2)).conv(ConvSpec::square(2, 4, 1, 1)),
        ),
        (
            "conv stride 3, padding 2, rectangular kernel",
            Sequence::new(Shape::image(2, 6, 5)).conv(ConvSpec {
                channels: 2,
                kernel: [2, 3],
                stride: 3,
                padding: [2, 1],
            }),
        ),
        (
            "conv 1×1",
            Sequence::new(image).conv(ConvSpec::square(4, 1, 1, 0)),
        ),
        (
            "conv 1-D, stride 2, padding 2",
            Sequence::new(Shape::signal(3, 11)).conv(ConvSpec::along(4, 5, 2, 2)),
        ),
        (
            "global average pooling",
            Sequence::new(image)
                .conv(ConvSpec::square(3, 3, 1, 1))
                .global_avg_pool(),
        ),
        (
            "residual, identity",
            Sequence::new(image).residual(
                |body| {
                    body.conv(ConvSpec::square(2, 3, 1, 1))
                        .relu()
                        .conv(ConvSpec::square(2, 3, 1, 1))
                },
                Shortcut::Identity,
                Scale::One,
            ),
        ),
        (
            "residual, identity, learned scale",
            Sequence::new(Shape::signal(2, 9))
                .conv(ConvSpec::along(3, 3, 1, 1))
                .residual(
                    |body| body.relu().conv(ConvSpec::along(3, 3, 1, 1)),
                    Shortcut::Identity,
                    Scale::Learned,
                ),
        ),
        (
            "residual, down-sampling (option A), odd sizes",
            Sequence::new(Shape::image(2, 5, 5)).residual(
                |body| {
                    body.conv(ConvSpec::square(4, 3, 2, 1))
                        .relu()
                        .conv(ConvSpec::square(4, 3, 1, 1))
                },
                Shortcut::Downsample { stride: 2 },
                Scale::Learned,
            ),
        ),
        (
            "a small ResNet: stages, pooling, classifier",
            Sequence::new(Shape::image(3, 6, 6))
                .conv(ConvSpec::square(2, 3, 1, 1))
                .relu()
                .residual(
                    |body| {
                        body.conv(ConvSpec::square(2, 3, 1, 1))
                            .relu()
                            .conv(ConvSpec::square(2, 3, 1, 1))
                    },
                    Shortcut::Identity,
                    Scale::Learned,
                )
                .relu()
                .residual(
                    |body| {
                        body.conv(ConvSpec::square(4, 3, 2, 1))
                            .relu()
                            .conv(ConvSpec::square(4, 3, 1, 1))
                    },
                    Shortcut::Downsample { stride: 2 },
                    Scale::Learned,
                )
                .relu()
                .global_avg_pool()
                .dense(3, Bias::Included),
        ),
    ]
}

#[test]
fn every_layer_has_the_gradient_of_its_finite_differences() {
    for (i, (name, layers)) in cases().into_iter().enumerate() {
        let seed = 100 + 10 * i as u64;
        check::<1>(name, layers.clone(), seed);
        check::<3>(name, layers, seed + 5);
    }
}

/// A block of samples gives each sample the bits it has alone, and its weight gradients are the
/// samples' added in order: what lets `blocks.rs` regroup samples without changing a run.
#[test]
fn a_block_is_its_samples_one_at_a_time_to_the_bit() {
    for (name, layers) in cases() {
        let (params, in_len, out_len) =
            (layers.params(), layers.input().len(), layers.output().len());
        let w = normals(1, params);
        let x = normals(2, 4 * in_len);
        let r = normals(3, 4 * out_len);
        let xs: [&[f64]; 4] = std::array::from_fn(|s| &x[s * in_len..(s + 1) * in_len]);
        let mut scratch = layers.scratch();
        let block_y = layers.forward(&w, xs, &mut scratch).to_vec();
        let mut block_dw = vec![0.0; params];
        layers.backward(&w, xs, &mut scratch, &r, None, &mut block_dw);

        let mut one_dw = vec![0.0; params];
        for s in 0..4 {
            let y = layers.forward(&w, [xs[s]], &mut scratch).to_vec();
            let same = y
                .iter()
                .zip(&block_y[s * out_len..])
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{name}: sample {s}'s output");
            let r = &r[s * out_len..(s + 1) * out_len];
            layers.backward(&w, [xs[s]], &mut scratch, r, None, &mut one_dw);
        }
        let same = one_dw
            .iter()
            .zip(&block_dw)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{name}: the block's weight gradients");
    }
}

/// The element type is a parameter of the kit: the same layers in f32 give f64's values to f32's
/// precision.
#[test]
fn f32_computes_what_f64_does() {
    fn run<E: Element>(layers: &Sequence, w: &[f64], x: &[f64], r: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (w, x, r): (Vec<E>, Vec<E>, Vec<E>) = (
            w.iter().map(|v| E::from_f64(*v)).collect(),
            x.iter().map(|v| E::from_f64(*v)).collect(),
            r.iter().map(|v| E::from_f64(*v)).collect(),
        );
        let mut scratch = layers.scratch();
        let y = layers.forward(&w, [&x[..]], &mut scratch).to_vec();
        let mut dw = vec![E::ZERO; w.len()];
        layers.backward(&w, [&x[..]], &mut scratch, &r, None, &mut dw);
        let wide = |v: &[E]| v.iter().map(|e| e.to_f64()).collect();
        (wide(&y), wide(&dw))
    }
    for (name, layers) in cases() {
        let w: Vec<f64> = normals(4, layers.params())
            .iter()
            .map(|v| 0.5 * v)
            .collect();
        let x = normals(5, layers.input().len());
        let r = normals(6, layers.output().len());
        let (y64, dw64) = run::<f64>(&layers, &w, &x, &r);
        let (y32, dw32) = run::<f32>(&layers, &w, &x, &r);
        for (a, b) in y64.iter().zip(&y32).chain(dw64.iter().zip(&dw32)) {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + a.abs()),
                "{name}: f64 {a}, f32 {b}"
            );
        }
    }
}

/// Every loss's gradient with respect to the output, by finite differences.
#[test]
fn every_loss_has_the_gradient_of_its_finite_differences() {
    let cases = [
        (
            Loss::SoftmaxCrossEntropy,
            4,
            [Target::Class(2), Target::Class(0)],
        ),
        (Loss::Logistic, 1, [Target::Class(1), Target::Class(0)]),
        (
            Loss::SquaredError,
            1,
            [Target::Value(0.7), Target::Value(-1.3)],
        ),
    ];
    for (loss, width, targets) in cases {
        let y = normals(7, 2 * width);
        let mut dy = vec![0.0; 2 * width];
        loss.gradient::<f64, 2>(&y, width, targets, &mut dy);
        let total = |y: &[f64]| {
            let mut total = 0.0;
            loss.add::<f64, 2>(y, width, targets, &mut total);
            total
        };
        for i in 0..y.len() {
            let h = 1e-6;
            let (mut up, mut down) = (y.clone(), y.clone());
            up[i] += h;
            down[i] -= h;
            close(
                dy[i],
                (total(&up) - total(&down)) / (2.0 * h),
                &format!("{loss:?}: ∂/∂y[{i}]"),
            );
        }
    }
}

/// The regression models stay written by hand (one dot product per sample, the benchmarked kernels),
/// but the kit describes each of them, bit for bit: a dense layer without bias and the model's loss.
#[test]
fn the_kit_describes_each_regression_model_to_the_bit() {
    let (rows, cols) = (11, 6);
    let features = normals(8, rows * cols);
    let mut stream = Stream::new(9, Purpose::Data);
    let classes = |count: usize, stream: &mut Stream| Labels::Classes {
        count,
        of_example: (0..rows).map(|_| stream.below(count) as u8).collect(),
    };
    let models = [
        (
            Regression::Logistic,
            Loss::Logistic,
            classes(2, &mut stream),
            1,
        ),
        (
            Regression::Softmax { classes: 3 },
            Loss::SoftmaxCrossEntropy,
            classes(3, &mut stream),
            3,
        ),
        (
            Regression::LeastSquares,
            Loss::SquaredError,
            Labels::Targets(normals(10, rows)),
            1,
        ),
    ];
    for (regression, loss, labels, outputs) in models {
        let data = Dataset {
            rows,
            cols,
            features: features.clone(),
            labels,
        };
        let linear = LinearModel {
            data: Arc::new(data.clone()),
            regression,
            lambda: 0.01,
        };
        let network = Network {
            layers: Sequence::new(Shape::flat(cols)).dense(outputs, Bias::None),
            loss,
        };
        let network: NetworkModel = NetworkModel::new(data, network, 0.01, 1);
        let w = normals(11, outputs * cols);
        assert_eq!(
            Problem::loss(&linear, &w).to_bits(),
            Problem::loss(&network, &w).to_bits(),
            "{regression:?}: f"
        );
        let (mut a, mut b) = (vec![0.0; w.len()], vec![0.0; w.len()]);
        Problem::gradient(&linear, &w, &mut a);
        Problem::gradient(&network, &w, &mut b);
        assert_eq!(
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{regression:?}: ∇f"
        );
        let (mut a_stream, mut b_stream) =
            (Stream::new(3, Purpose::Data), Stream::new(3, Purpose::Data));
        Problem::minibatch_gradient(&linear, &w, &mut a_stream, 7, &mut a);
        Problem::minibatch_gradient(&network, &w, &mut b_stream, 7, &mut b);
        assert_eq!(a, b, "{regression:?}: a mini-batch gradient");
    }
}

/// An f32 network on a data set: f and ∇f are f64's to f32's precision, and splitting a mini-batch
/// (for the noise scale) changes no bit of its gradient, as for every other model.
#[test]
fn an_f32_network_trains_on_the_trainers_f64_parameters() {
    let (rows, cols) = (13, 2 * 9);
    let mut stream = Stream::new(12, Purpose::Data);
    let data = Dataset {
        rows,
        cols,
        features: normals(13, rows * cols),
        labels: Labels::Classes {
            count: 3,
            of_example: (0..rows).map(|_| stream.below(3) as u8).collect(),
        },
    };
    let network = Network {
        layers: Sequence::new(Shape::signal(2, 9))
            .conv(ConvSpec::along(4, 3, 1, 1))
            .relu()
            .residual(
                |body| body.conv(ConvSpec::along(4, 3, 1, 1)).relu(),
                Shortcut::Identity,
                Scale::Learned,
            )
            .global_avg_pool()
            .dense(3, Bias::Included),
        loss: Loss::SoftmaxCrossEntropy,
    };
    let single: NetworkModel<f32> = NetworkModel::new(data.clone(), network.clone(), 0.01, 5);
    let double: NetworkModel<f64> = NetworkModel::new(data, network, 0.01, 5);
    let w: Vec<f64> = normals(14, single.dim()).iter().map(|v| 0.3 * v).collect();
    let (f32_loss, f64_loss) = (single.loss(&w), double.loss(&w));
    assert!(
        (f32_loss - f64_loss).abs() < 1e-5 * f64_loss.abs(),
        "{f32_loss} {f64_loss}"
    );
    let (mut a, mut b) = (vec![0.0; w.len()], vec![0.0; w.len()]);
    single.gradient(&w, &mut a);
    double.gradient(&w, &mut b);
    for (a, b) in a.iter().zip(&b) {
        assert!(
            (a - b).abs() < 1e-5 * (1.0 + b.abs()),
            "∇f: f32 {a}, f64 {b}"
        );
    }
    let (mut whole, mut split, mut part) =
        (vec![0.0; w.len()], vec![0.0; w.len()], vec![0.0; w.len()]);
    single.minibatch_gradient(&w, &mut Stream::new(4, Purpose::Data), 9, &mut whole);
    single.minibatch_gradient_split(
        &w,
        &mut Stream::new(4, Purpose::Data),
        9,
        5,
        &mut split,
        &mut part,
    );
    assert_eq!(whole, split, "splitting a batch changes no bit");
    let mut first = vec![0.0; w.len()];
    single.minibatch_gradient(&w, &mut Stream::new(4, Purpose::Data), 5, &mut first);
    assert_eq!(
        first, part,
        "the first part is the mean of the first samples"
    );
}
