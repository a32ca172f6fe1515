import Etcd
