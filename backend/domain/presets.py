"""Starting worlds for a new sandbox, relative to its virtual date."""
PRESETS = {
    "empty": {"description": "一个空账号：没有环境、资源包、VPC 或域名", "resources": False, "domains": []},
    "eligible": {"description": "满足云托管备案要求：资源包剩余 365 天，一个系统创建的微小型 NAT 网关 IP",
                 "resources": True, "domains": []},
    "demo": {"description": "eligible，外加一个已实名的域名 zhangsan-blog.cn（持有人 张三）",
             "resources": True,
             "domains": [{"name": "zhangsan-blog.cn", "holder_name": "张三",
                          "holder_certificate_number": "440305199001010018"}]},
}
PACK_DAYS = 365
