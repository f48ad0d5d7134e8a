ò
"serve*2.15.0«

xPlaceholder


wConst

mmMatMulxw
"
callStatefulPartitionedCallx
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
save/Const?
=

__inference_serve_42
cbPyFuncx
idIdentitycb1
save/Const:0save/Identity:0save/restore_all