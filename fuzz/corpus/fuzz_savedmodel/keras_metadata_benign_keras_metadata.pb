
±root"_tf_keras_sequential*’{"class_name": "Sequential", "config": {"layers": [{"name": "d", "trainable": true, "class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
root.layer-0"_tf_keras_layer*\{"name": "d", "trainable": true, "class_name": "Dense", "config": {"name": "d", "units": 2}}