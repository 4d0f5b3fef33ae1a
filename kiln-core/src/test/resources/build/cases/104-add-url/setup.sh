mkdir -p www/dir tree/sub
printf 'remote content\n' > www/dir/file.txt
printf 'spaced\n' > 'www/dir/with space.txt'
printf 'in archive\n' > tree/sub/f
tar -C tree -czf www/dir/arch.tar.gz sub
