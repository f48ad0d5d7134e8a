°
"serve*2.15.0Æ

xPlaceholder


wConst

mmMatMulxw

save/filenameConst


save/ConstConst
!
save/SaveV2SaveV2
save/Const
'
save/RestoreV2	RestoreV2
save/Const
9
save/MergeV2CheckpointsMergeV2Checkpoints
save/Const
3
save/ShardedFilenameShardedFilename
save/Const
)
save/StringJoin
StringJoin
save/Const1
save/Const:0save/Identity:0save/restore_all: 
à"Ý
_tf_keras_sequentialÄ{"class_name": "Sequential", "config": {"layers": [{"name": "lam", "trainable": true, "class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", null, null], "function_type": "lambda", "module": "__main__"}}, {"name": "d", "trainable": true, "class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
Ç"Ä
_tf_keras_layer°{"name": "lam", "trainable": true, "class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", null, null], "function_type": "lambda", "module": "__main__"}}
q"o
_tf_keras_layer\{"name": "d", "trainable": true, "class_name": "Dense", "config": {"name": "d", "units": 2}}