/* Keras model configs: config.json of a .keras zip and the model_config /
 * training_config attributes of a legacy .h5, walked as JSON for what
 * makes loading them run code or reach outside Keras.
 *
 * SPEC: keras-team/keras keras/src/saving/serialization_lib.py
 * (deserialize_keras_object, _retrieve_class_or_fn: only the packages
 * keras, keras_hub, keras_cv, keras_nlp are imported; LOADING_APIS are
 * refused), keras/src/layers/core/lambda_layer.py (__lambda__ configs),
 * keras/src/legacy/saving/legacy_h5_format.py and tf.keras 2.x
 * python_utils.func_dump (Lambda "function": [base64 marshal, defaults,
 * closure], "function_type": "lambda"); reference/formats.md §A8, §A9.
 *
 * What is reported, per JSON object ("node"):
 * - KRS001: class_name Lambda, TFOpLambda, SlicingOpLambda or __lambda__;
 *   a "function" (or lambda "output_shape") that is a func_dump list;
 *   "function_type": "lambda". Nodes inside a reported one are not
 *   reported again for KRS001 (one finding per Lambda layer).
 * - KRS002: a "module" whose top package is not keras, keras_hub,
 *   keras_cv, keras_nlp or tf_keras (CVE-2025-1550: Keras < 3.9 imported
 *   any module; tf.keras 2.13+ still does). "tensorflow" is accepted
 *   because tf.keras configs and __typespec__ nodes name TensorFlow
 *   classes (tensorflow.python.framework.tensor_spec ...), except file,
 *   library-loading and Python-calling APIs. "builtins" is accepted only
 *   for a "function" node naming one of Keras' built-in activation, loss,
 *   metric or initializer functions, which is all Keras >= 3.9 resolves
 *   it to (older Keras imported builtins.exec). Also the loading APIs
 *   (CVE-2025-9906 enable_unsafe_deserialization, io-no's
 *   load_model(safe_mode=False), CVE-2025-8747 get_file), anything under
 *   keras.saving / keras.config, and TFSMLayer (loads an external
 *   SavedModel, CVE-2026-1462).
 * - KRS003: a registered_name of the "package>name" form (unless the
 *   package is one of the Keras packages above, as keras_hub registers
 *   its models), or one that is neither the node's own class/function
 *   name nor a built-in; a node
 *   whose module is null (a class defined in __main__); in configs
 *   without modules (tf.keras 2 H5), a class_name outside Keras' public
 *   layers, initializers, regularizers, constraints, optimizers,
 *   schedules, losses, metrics and dtype policies; in training_config,
 *   loss and metric names that are not Keras built-ins.
 */
#include "../internal.h"
#include "formats.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#define KW_MAX_DEPTH 128     /* JSON nesting walked; real configs use < 40 */

/* Keras' public class names (layers, initializers, regularizers, constraints,
   optimizers, schedules, losses, metrics, dtype policies, the special
   __x__ forms) and built-in function names, sorted for bsearch. */
static const char *const keras_classes[] = {
  "AUC", "Accuracy", "Activation", "ActivityRegularization", "Adadelta",
  "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Add",
  "AdditiveAttention", "AlphaDropout", "Attention", "Average",
  "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D",
  "AvgPool2D", "AvgPool3D", "BatchNormalization", "Bidirectional",
  "BinaryAccuracy", "BinaryCrossentropy", "BinaryFocalCrossentropy",
  "BinaryIoU", "CTC", "CategoricalAccuracy", "CategoricalCrossentropy",
  "CategoricalFocalCrossentropy", "CategoricalHinge", "CategoryEncoding",
  "CenterCrop", "Concatenate", "Constant", "Conv1D", "Conv1DTranspose",
  "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM1D",
  "ConvLSTM2D", "ConvLSTM3D", "Convolution1D", "Convolution2D",
  "Convolution3D", "CosineDecay", "CosineDecayRestarts", "CosineSimilarity",
  "Cropping1D", "Cropping2D", "Cropping3D", "DTypePolicy", "DTypePolicyMap",
  "Dense", "DenseFeatures", "DepthwiseConv1D", "DepthwiseConv2D", "Dice",
  "Discretization", "Dot", "Dropout", "ELU", "EinsumDense", "Embedding",
  "ExponentialDecay", "F1Score", "FBetaScore", "FalseNegatives",
  "FalsePositives", "Flatten", "FloatDTypePolicy", "Ftrl", "Functional",
  "GRU", "GRUCell", "GaussianDropout", "GaussianNoise",
  "GlobalAveragePooling1D", "GlobalAveragePooling2D",
  "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
  "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
  "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
  "GlorotNormal", "GlorotUniform", "GroupNormalization",
  "GroupQueryAttention", "HashedCrossing", "Hashing", "HeNormal",
  "HeUniform", "Hinge", "Huber", "Identity", "IdentityInitializer",
  "InputLayer", "InputSpec", "IntegerLookup", "InverseTimeDecay", "IoU",
  "KLDivergence", "L1", "L1L2", "L2", "LSTM", "LSTMCell", "Lamb", "Lambda",
  "LayerNormalization", "LeakyReLU", "LecunNormal", "LecunUniform", "Lion",
  "LocallyConnected1D", "LocallyConnected2D", "LogCosh", "LogCoshError",
  "LossFunctionWrapper", "LossScaleOptimizer", "Masking", "MaxNorm",
  "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D",
  "MaxPooling3D", "Maximum", "Mean", "MeanAbsoluteError",
  "MeanAbsolutePercentageError", "MeanIoU", "MeanMetricWrapper",
  "MeanRelativeError", "MeanSquaredError", "MeanSquaredLogarithmicError",
  "MeanTensor", "MinMaxNorm", "Minimum", "Model", "MultiHeadAttention",
  "Multiply", "Nadam", "NonNeg", "Normalization", "OneHotIoU",
  "OneHotMeanIoU", "Ones", "Orthogonal", "OrthogonalInitializer",
  "OrthogonalRegularizer", "PReLU", "Permute", "PiecewiseConstantDecay",
  "Poisson", "Policy", "PolynomialDecay", "Precision", "PrecisionAtRecall",
  "QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy", "R2Score", "RMSprop",
  "RNN", "RadialConstraint", "RandomBrightness", "RandomContrast",
  "RandomCrop", "RandomFlip", "RandomHeight", "RandomNormal",
  "RandomRotation", "RandomTranslation", "RandomUniform", "RandomWidth",
  "RandomZoom", "ReLU", "Recall", "RecallAtPrecision", "RepeatVector",
  "Rescaling", "Reshape", "Resizing", "RootMeanSquaredError", "SGD",
  "SensitivityAtSpecificity", "SeparableConv1D", "SeparableConv2D",
  "SeparableConvolution1D", "SeparableConvolution2D", "Sequential",
  "SimpleRNN", "SimpleRNNCell", "SlicingOpLambda", "Softmax",
  "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
  "SparseTopKCategoricalAccuracy", "SpatialDropout1D", "SpatialDropout2D",
  "SpatialDropout3D", "SpecificityAtSensitivity", "SpectralNormalization",
  "SquaredHinge", "StackedRNNCells", "StringLookup", "Subtract", "Sum",
  "SyncBatchNormalization", "TFOpLambda", "TensorShape", "TextVectorization",
  "ThresholdedReLU", "TimeDistributed", "TopKCategoricalAccuracy",
  "TrueNegatives", "TruePositives", "TruncatedNormal", "Tversky", "UnitNorm",
  "UnitNormalization", "UpSampling1D", "UpSampling2D", "UpSampling3D",
  "VarianceScaling", "Wrapper", "ZeroPadding1D", "ZeroPadding2D",
  "ZeroPadding3D", "Zeros", "__bytes__", "__ellipsis__", "__keras_tensor__",
  "__lambda__", "__numpy__", "__slice__", "__tensor__", "__tuple__",
  "__typespec__", "function",
};
static const char *const keras_functions[] = {
  "acc", "accuracy", "binary_accuracy", "binary_crossentropy",
  "binary_focal_crossentropy", "categorical_accuracy",
  "categorical_crossentropy", "categorical_focal_crossentropy",
  "categorical_hinge", "celu", "constant", "cosine_similarity", "ctc",
  "dice", "elu", "exponential", "gelu", "glorot_normal", "glorot_uniform",
  "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
  "hard_tanh", "he_normal", "he_uniform", "hinge", "huber", "huber_loss",
  "identity", "kl_divergence", "kld", "kullback_leibler_divergence",
  "leaky_relu", "lecun_normal", "lecun_uniform", "linear", "log_cosh",
  "log_sigmoid", "log_softmax", "logcosh", "mae", "mape",
  "mean_absolute_error", "mean_absolute_percentage_error",
  "mean_squared_error", "mean_squared_logarithmic_error", "mish", "mse",
  "msle", "ones", "orthogonal", "poisson", "random_normal", "random_uniform",
  "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax",
  "softplus", "softsign", "sparse_categorical_accuracy",
  "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid",
  "sparse_top_k_categorical_accuracy", "sparsemax", "squared_hinge",
  "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
  "top_k_categorical_accuracy", "truncated_normal", "tversky",
  "variance_scaling", "zeros",
};

/* Keras objects whose deserialization loads files or models, or turns
   safe mode off: LOADING_APIS of serialization_lib.py plus the modules
   they live in. */
static const char *const loading_apis[] = {
  "keras.config.enable_unsafe_deserialization",
  "keras.models.load_model",
  "keras.preprocessing.image.load_img",
  "keras.saving.load_model",
  "keras.saving.load_weights",
  "keras.utils.get_file",
  "keras.utils.load_img",
};
static const char *const loading_prefixes[] = {
  "keras.config.", "keras.saving.", "keras.src.saving.",
  "keras.src.legacy.saving.", "keras.src.utils.file_utils.",
  "tf_keras.saving.", "tf_keras.src.saving.",
};
static const char *const loading_names[] = {
  "enable_unsafe_deserialization", "get_file", "load_img", "load_model",
  "load_weights",
};
/* TensorFlow path components that reach files, libraries or Python. */
static const char *const tf_danger[] = {
  "eager_py_func", "file_io", "gen_io_ops", "gfile", "io", "io_ops",
  "load_file_system_library", "load_library", "load_op_library",
  "load_pluggable_device_library", "numpy_function", "py_func",
  "py_function", "saved_model", "script_ops",
};
static const char *const allowed_packages[] = {
  "keras", "keras_cv", "keras_hub", "keras_nlp", "tf_keras",
};

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_table(const char *const *t, size_t n, const char *s)
{
  return s && bsearch(&s, t, n, sizeof(*t), cmp_str) != NULL;
}

static bool known_class(const char *s)
{
  if(s && !strncmp(s, "Custom>", 7))
    s += 7;  /* tf.keras 2.11+ registers its new optimizers so */
  return in_table(keras_classes, BRINE_ARRAY_LEN(keras_classes), s);
}

static bool known_function(const char *s)
{
  return in_table(keras_functions, BRINE_ARRAY_LEN(keras_functions), s);
}

/* Length of the first dotted component. */
static size_t top_len(const char *m)
{
  const char *dot = strchr(m, '.');
  return dot ? (size_t)(dot - m) : strlen(m);
}

static bool keras_package(const char *m)
{
  size_t n = top_len(m);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(allowed_packages); i++)
    if(strlen(allowed_packages[i]) == n && !strncmp(m, allowed_packages[i], n))
      return true;
  return false;
}

/* Whether any dotted component of s is in the TensorFlow danger list. */
static bool tf_dangerous(const char *s)
{
  while(*s) {
    size_t n = top_len(s);
    for(size_t i = 0; i < BRINE_ARRAY_LEN(tf_danger); i++)
      if(strlen(tf_danger[i]) == n && !strncmp(s, tf_danger[i], n))
        return true;
    s += n;
    if(*s == '.')
      s++;
  }
  return false;
}

struct kw {
  const struct brinei_fcheck *c;
  const char *where;
  struct brinei_jpath jp;  /* JSON path of the value being walked */
  bool deep;             /* the depth limit was reported */
};

static void kw_report(struct kw *w, enum brinei_rule r, const char *global,
                      const char *fmt, ...) BRINE_PRINTF(4, 5);

static void kw_report(struct kw *w, enum brinei_rule r, const char *global,
                      const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  brinei_finding_add(w->c->f, r, BRINE_NOOFF, w->c->member, global,
                     BRINE_USE_NONE, "%s at %s: %s", w->where,
                     brinei_jpath_str(&w->jp), msg);
}

static const char *str_member(json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

/* tf.keras func_dump: [base64 marshal code, defaults, closure] */
static bool is_func_dump(json_t *v)
{
  return json_is_array(v) && json_array_size(v) >= 1 &&
         json_is_string(json_array_get(v, 0));
}

/* The module check for a node that names `module` and object `name`. */
static void check_module(struct kw *w, const char *module, const char *name,
                         const char *cn)
{
  char full[400];
  bool fn = cn && !strcmp(cn, "function");
  snprintf(full, sizeof(full), "%.200s.%.190s", module, name ? name : "?");
  if(keras_package(module)) {
    bool bad = in_table(loading_apis, BRINE_ARRAY_LEN(loading_apis), full);
    for(size_t i = 0; i < BRINE_ARRAY_LEN(loading_prefixes) && !bad; i++)
      bad = !strncmp(full, loading_prefixes[i],
                     strlen(loading_prefixes[i]));
    if(!bad && fn)
      for(size_t i = 0; i < BRINE_ARRAY_LEN(loading_names) && !bad; i++)
        bad = name && !strcmp(name, loading_names[i]);
    if(bad)
      kw_report(w, R_KERAS_MODULE, full, "%s names the Keras loading API "
                "%s, refused by Keras' own loader (%s)",
                fn ? "function" : "object", full,
                strstr(full, "unsafe") ? "CVE-2025-9906: turns safe mode off"
                : strstr(full, "get_file") ? "CVE-2025-8747"
                : "loads more files while loading");
    else if(!fn && name && !strcmp(name, "TFSMLayer"))
      kw_report(w, R_KERAS_MODULE, full, "TFSMLayer loads an external "
                "SavedModel (CVE-2026-1462)");
    return;
  }
  if(top_len(module) == 10 && !strncmp(module, "tensorflow", 10)) {
    if(tf_dangerous(full))
      kw_report(w, R_KERAS_MODULE, full, "%s names the TensorFlow file, "
                "library or Python-call API %s", fn ? "function" : "object",
                full);
    return;
  }
  if(fn && !strcmp(module, "builtins") && known_function(name))
    return;  /* resolved within Keras' built-in function modules */
  kw_report(w, R_KERAS_MODULE, full, "%s %.100s comes from module '%.100s', "
            "outside Keras (CVE-2025-1550)", fn ? "function" : "class",
            name ? name : "?", module);
}

/* String leaves of training_config's loss/metrics: names Keras looks up
   among its built-ins or the caller's custom objects. */
static void check_names(struct kw *w, json_t *v, unsigned depth)
{
  if(depth > 8)
    return;
  if(json_is_string(v)) {
    const char *s = json_string_value(v);
    if(!known_function(s) && !known_class(s))
      kw_report(w, R_KERAS_CUSTOM, NULL, "'%.100s' is not a Keras built-in: "
                "a custom loss or metric the loader must supply", s);
  }
  else if(json_is_array(v)) {
    for(size_t i = 0; i < json_array_size(v); i++) {
      size_t old = brinei_jpath_push(&w->jp, NULL, i);
      check_names(w, json_array_get(v, i), depth + 1);
      brinei_jpath_pop(&w->jp, old);
    }
  }
  else if(json_is_object(v)) {
    const char *k;
    json_t *x;
    if(json_object_get(v, "class_name"))
      return;  /* an object config: the walk checks it */
    json_object_foreach(v, k, x) {
      size_t old = brinei_jpath_push(&w->jp, k, 0);
      check_names(w, x, depth + 1);
      brinei_jpath_pop(&w->jp, old);
    }
  }
}

/* The checks of one object; returns whether it was reported as code. */
static bool check_node(struct kw *w, json_t *o, bool in_lambda)
{
  const char *cn = str_member(o, "class_name");
  const char *ftype = str_member(o, "function_type");
  json_t *mod = json_object_get(o, "module");
  json_t *reg = json_object_get(o, "registered_name");
  json_t *fnv = json_object_get(o, "function");
  const char *why = NULL, *custom = NULL;
  const char *name = cn;
  if(cn && (!strcmp(cn, "Lambda") || !strcmp(cn, "TFOpLambda") ||
            !strcmp(cn, "SlicingOpLambda"))) {
    json_t *lf = json_object_get(json_object_get(o, "config"), "function");
    const char *lcn = str_member(lf, "class_name");
    why = is_func_dump(lf) || (lcn && !strcmp(lcn, "__lambda__"))
          ? "layer holds marshalled Python bytecode"
          : "layer calls a Python function the file names";
  }
  else if(cn && !strcmp(cn, "__lambda__"))
    why = "__lambda__ function holds marshalled Python bytecode";
  else if(is_func_dump(fnv))
    why = "function is marshalled Python bytecode (func_dump)";
  else if(ftype && !strcmp(ftype, "lambda"))
    why = "function_type is lambda: marshalled Python bytecode";
  else if(is_func_dump(json_object_get(o, "output_shape")) &&
          (str_member(o, "output_shape_type") &&
           !strcmp(str_member(o, "output_shape_type"), "lambda")))
    why = "output_shape is marshalled Python bytecode";
  if(why && !in_lambda)
    kw_report(w, R_KERAS_LAMBDA, NULL, "%s%s%s", cn ? cn : "", cn ? " " : "",
              why);
  if(cn && !strcmp(cn, "function"))
    name = str_member(o, "config");
  else if(cn && !strcmp(cn, "__typespec__"))
    name = str_member(o, "spec_name");
  else if(!cn && json_is_string(fnv))
    name = json_string_value(fnv);   /* legacy Lambda, function_type
                                        "function" */
  /* Where a lambda was defined says nothing: its code is in the file. */
  if(json_is_string(mod) && (cn || ftype) &&
     !(ftype && !strcmp(ftype, "lambda")))
    check_module(w, json_string_value(mod), name, cn ? cn : "function");
  if(json_is_string(json_object_get(o, "output_shape_module")) &&
     str_member(o, "output_shape_type") &&
     !strcmp(str_member(o, "output_shape_type"), "function"))
    check_module(w, str_member(o, "output_shape_module"),
                 str_member(o, "output_shape"), "function");
  if(!cn)
    return why != NULL;
  if(json_is_string(reg)) {
    const char *r = json_string_value(reg);
    const char *gt = strchr(r, '>');
    if(gt) {
      /* "keras_hub>GemmaBackbone": registered by a Keras package itself */
      char pkg[16];
      size_t pn = (size_t)(gt - r);
      bool own = false;
      if(pn < sizeof(pkg)) {
        memcpy(pkg, r, pn);
        pkg[pn] = '\0';
        own = keras_package(pkg) && !strchr(pkg, '.');
      }
      if(!own && !(!strncmp(r, "Custom>", 7) && known_class(r)))
        custom = r;
    }
    else if(!strcmp(r, cn) || (name && !strcmp(r, name))) {
      /* Keras writes its own classes and functions so */
    }
    else if(!known_function(r) && !known_class(r))
      custom = r;
  }
  if(custom)
    kw_report(w, R_KERAS_CUSTOM, NULL, "%.100s is a custom object registered "
              "as '%.100s'; the loader must supply it", cn, custom);
  else if(json_is_null(mod) && cn[0] != '_')
    kw_report(w, R_KERAS_CUSTOM, NULL, "%s %.100s has no module (defined in "
              "__main__): a custom object the loader must supply",
              name == cn ? "class" : "function", name ? name : "?");
  else if(!mod && !known_class(cn))
    kw_report(w, R_KERAS_CUSTOM, NULL, "class '%.100s' is not a Keras "
              "built-in: a custom object the loader must supply", cn);
  return why != NULL;
}

static void walk(struct kw *w, json_t *v, unsigned depth, bool in_lambda)
{
  if(!json_is_object(v) && !json_is_array(v))
    return;
  if(depth > KW_MAX_DEPTH) {
    if(!w->deep)
      kw_report(w, R_FMT_BUDGET, NULL, "nests deeper than %u levels; not "
                "examined further", KW_MAX_DEPTH);
    w->deep = true;
    return;
  }
  if(json_is_object(v)) {
    const char *k;
    json_t *x;
    if(check_node(w, v, in_lambda))
      in_lambda = true;
    json_object_foreach(v, k, x) {
      size_t old = brinei_jpath_push(&w->jp, k, 0);
      walk(w, x, depth + 1, in_lambda);
      brinei_jpath_pop(&w->jp, old);
    }
  }
  else {
    for(size_t i = 0; i < json_array_size(v); i++) {
      size_t old = brinei_jpath_push(&w->jp, NULL, i);
      walk(w, json_array_get(v, i), depth + 1, in_lambda);
      brinei_jpath_pop(&w->jp, old);
    }
  }
}

void brinei_keras_check_config(const struct brinei_fcheck *c,
                               const char *where, const uint8_t *json,
                               size_t n)
{
  struct kw w;
  json_error_t jerr;
  json_t *doc;
  memset(&w, 0, sizeof(w));
  w.c = c;
  w.where = where;
  doc = json_loadb((const char *)json, n,
                   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if(!doc) {
    brinei_finding_add(c->f, R_FMT_MALFORMED,
                       jerr.position >= 0 ? (uint64_t)jerr.position
                                          : BRINE_NOOFF,
                       c->member, NULL, BRINE_USE_NONE,
                       "%s is not valid JSON: %.200s (line %d, column %d)",
                       where, jerr.text, jerr.line, jerr.column);
    return;
  }
  if(!json_is_object(doc) && !json_is_null(doc))
    brinei_finding_add(c->f, R_FMT_MALFORMED, BRINE_NOOFF, c->member, NULL,
                       BRINE_USE_NONE, "%s is not a JSON object", where);
  walk(&w, doc, 0, false);
  if(json_is_object(doc) && !strcmp(where, "training_config")) {
    static const char *const keys[] = { "loss", "metrics",
                                        "weighted_metrics" };
    for(size_t i = 0; i < BRINE_ARRAY_LEN(keys); i++) {
      size_t old = brinei_jpath_push(&w.jp, keys[i], 0);
      check_names(&w, json_object_get(doc, keys[i]), 0);
      brinei_jpath_pop(&w.jp, old);
    }
  }
  json_decref(doc);
}
