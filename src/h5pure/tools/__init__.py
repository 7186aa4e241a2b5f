"""The HDF Group's command-line tools as library functions: comparing two files
(:mod:`.diff`), rewriting one (:mod:`.repack`), measuring where its bytes go
(:mod:`.stat`) and copying objects between files (:mod:`.copy`).

Each function takes paths and options records and returns a result record; the
``h5pure <tool>`` commands (:mod:`h5pure.cli`) only parse arguments and print.  Everything
here goes through h5pure's h5py API and :mod:`h5pure.inspect`, never the layers below.
"""
