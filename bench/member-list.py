"""Writes a member list of N new members as a province's board would keep it (CSV, the
import's Vietnamese headers), spread over the three party groups of the demo's Đồng Tâm cell.
Usage: python3 bench/member-list.py N FILE"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
groups = ["Tổ đảng số 1", "Tổ đảng số 2", "Tổ đảng số 3"]
lines = ["Họ và tên,Ngày sinh,Giới tính,Số CCCD,Ngày vào Đảng,Số thẻ đảng viên,Chi bộ / tổ đảng"]
for i in range(rows):
    lines.append(f"Nguyễn Văn Thử {i},{random.randint(1,28):02d}/{random.randint(1,12):02d}/{random.randint(1950,1995)},"
                 f"Nam,0010{i:08d},02/09/2015,7{i:07d},{groups[i % 3]}")
open(out, "w").write("\n".join(lines) + "\n")
