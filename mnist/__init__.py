"""Handwritten digits: MNIST data, two small CNNs, sketchpad preprocessing and the app's inference API.

Modules (each runs or imports on its own, see its docstring):
    data        MNIST from the Hugging Face Hub or a local folder of IDX files, as in-memory tensors
    model       LeNet5 and the default CNN, `build_model(name)`
    augment     batched augmentation on tensors (affine, stroke thickness, elastic)
    strokes     pen-trajectory parsing (UCI pendigits) and replay on a sketchpad-sized canvas
    preprocess  sketchpad value -> 28x28 model input, the MNIST way (and a naive resize to compare)
    train       python -m mnist.train --model cnn
    evaluate    python -m mnist.evaluate --model cnn
    predict     what app.py calls: read_digit(sketch, model_name) -> DigitReading
    examples    python -m mnist.examples  (draws the example PNGs shipped with the app)
"""
