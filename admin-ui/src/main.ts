import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { perm } from './directives/perm'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)
app.directive('perm', perm)
app.mount('#app')
document.documentElement.lang = i18n.global.locale.value
