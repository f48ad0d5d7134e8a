›
"serve*2.15.0Ô

pathConst

rfReadFilepath

wf	WriteFilepathrf
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
save/Const:0save/Identity:0save/restore_all