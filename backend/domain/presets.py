"""Starting worlds for a new sandbox, relative to its virtual date.

`auto_renew`: the preset's resource pack and domains renew themselves (自动续费, see
domain.renewal), so the `icpsim up` demo and a class, whose clocks race ahead, stay
eligible for ever. `demo` keeps dates that run out: scenarios test the expiry with it.
"""

ZHANG_SAN_DOMAIN = {
    "name": "zhangsan-blog.cn",
    "holder_name": "张三",
    "holder_certificate_number": "440305199001010018",
}

PRESETS = {
    "empty": {"description": "一个空账号：没有环境、资源包、VPC 或域名", "resources": False, "domains": []},
    "eligible": {
        "description": "满足云托管备案要求：资源包剩余 365 天，一个系统创建的微小型 NAT 网关 IP",
        "resources": True,
        "domains": [],
    },
    "demo": {
        "description": "eligible，外加一个已实名的域名 zhangsan-blog.cn（持有人 张三）",
        "resources": True,
        "domains": [dict(ZHANG_SAN_DOMAIN)],
    },
    "training": {
        "description": "demo，但资源包与域名自动续费：演示与培训用，时钟跑多久都不过期",
        "resources": True,
        "auto_renew": True,
        "domains": [dict(ZHANG_SAN_DOMAIN, auto_renew=True)],
    },
}
PACK_DAYS = 365
