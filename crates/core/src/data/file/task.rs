//! From a file's values to the data set as the model sees it: the task the labels decide (or the one
//! asked for, checked), the labels as classes or scaled targets, and standardised features.

use super::{DataError, DataFile, LabelMap, Options, Sha256, Table, MAX_CLASSES};
use crate::choices::Task;
use crate::data::set::{standardize, Dataset, Labels};
use std::sync::Arc;

impl Table {
    /// The task, the labels as the model sees them, and standardised features.
    pub(super) fn into_file(
        mut self,
        options: Options,
        sha256: Sha256,
        bytes: u64,
    ) -> Result<DataFile, DataError> {
        let (task, labels, map) = model_labels(&self.labels, options.task, &self.label_column)?;
        if options.standardize {
            standardize(&mut self.features, self.cols, self.cols - 1);
        }
        Ok(DataFile {
            dataset: Arc::new(Dataset {
                rows: self.rows,
                cols: self.cols,
                features: self.features,
                labels,
            }),
            task,
            format: self.format,
            options,
            sha256,
            bytes,
            header: self.header,
            label_column: self.label_column,
            labels: map,
        })
    }
}

/// Decides the task (or checks the one asked for) and maps the labels to classes or scaled targets.
fn model_labels(
    labels: &[f64],
    asked: Option<Task>,
    column: &str,
) -> Result<(Task, Labels, LabelMap), DataError> {
    // Distinct values, up to one more than softmax takes; -0 and 0 are one value (== says so).
    let mut distinct: Vec<f64> = Vec::new();
    let mut more = false;
    for &y in labels {
        if !distinct.contains(&y) {
            if distinct.len() == MAX_CLASSES {
                more = true;
                break;
            }
            distinct.push(y);
        }
    }
    let integers = distinct.iter().all(|v| v.fract() == 0.0);
    let task = match asked {
        Some(task) => task,
        None if distinct.len() == 1 => {
            return Err(DataError::whole(format!(
                "every label in {column} is {}: there is nothing to learn (classification needs two classes)",
                distinct[0]
            )))
        }
        None if distinct.len() == 2 && !more => Task::Logistic,
        None if integers && !more => Task::Softmax,
        None => Task::LeastSquares,
    };
    let classes_needed = |most: usize| -> Result<(), DataError> {
        if distinct.len() < 2 {
            return Err(DataError::whole(format!(
                "task={} needs two classes at least, but every label in {column} is {}",
                task.name(),
                distinct[0]
            )));
        }
        if more || distinct.len() > most {
            let count = if more {
                format!("more than {MAX_CLASSES}")
            } else {
                distinct.len().to_string()
            };
            return Err(DataError::whole(format!(
                "task={} takes at most {most} classes, but {column} has {count} distinct labels",
                task.name()
            )));
        }
        Ok(())
    };
    match task {
        Task::Logistic => classes_needed(2)?,
        Task::Softmax => classes_needed(MAX_CLASSES)?,
        Task::LeastSquares => {
            let (labels, map) = scaled_targets(labels);
            return Ok((task, Labels::Targets(labels), map));
        }
    }
    distinct.sort_by(f64::total_cmp);
    let mut counts = vec![0u64; distinct.len()];
    let of_example: Vec<u8> = labels
        .iter()
        .map(|y| {
            let k = distinct.partition_point(|v| v < y);
            counts[k] += 1;
            // At most MAX_CLASSES (100) classes.
            k as u8
        })
        .collect();
    Ok((
        task,
        Labels::Classes {
            count: distinct.len(),
            of_example,
        },
        LabelMap::Classes {
            values: distinct,
            counts,
        },
    ))
}

/// (y − mean)/scale with scale the standard deviation (1 for constant labels).
fn scaled_targets(labels: &[f64]) -> (Vec<f64>, LabelMap) {
    let n = labels.len() as f64;
    let mean = labels.iter().sum::<f64>() / n;
    let var = labels.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n;
    let scale = if var > 0.0 { libm::sqrt(var) } else { 1.0 };
    let (min, max) = labels
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        });
    let targets = labels.iter().map(|y| (y - mean) / scale).collect();
    (
        targets,
        LabelMap::Scaled {
            mean,
            scale,
            min,
            max,
        },
    )
}
